# Otvet — the two commands for a fresh machine:
#   make demo   runs Otvet on its embedded default (in-process mail servers, SQLite)
#   make test   runs every test, real Dovecot, Postfix and PostgreSQL included
GO            ?= go
STATICCHECK   ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION ?= v0.8.2

export CGO_ENABLED ?= 0

.PHONY: all build deb package-check demo test test-fast lint fmt vet staticcheck bench fuzz loadtest clean

all: build

# otvet version prints these; without them it falls back to what Go records (vcs.revision, vcs.time).
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/otvet ./cmd/otvet

# The Debian package: bin/otvet_<version>_amd64.deb (packaging/build-deb.sh; stripped, stamped).
# A release: make deb VERSION=1.0.0 (the Debian version drops a leading v).
deb:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS) -s -w' -o bin/otvet-deb/otvet ./cmd/otvet
	packaging/build-deb.sh bin/otvet-deb/otvet '$(VERSION)' bin

# Builds the package and checks it: contents, lintian, systemd-analyze verify, an install (as root
# with CI=true: on this machine, then purged). make test runs it after the Go tests.
package-check:
	packaging/check.sh

demo: build
	./bin/otvet demo

# Everything: lint, then all tests against in-process AND real servers. with-servers.sh installs
# missing servers (scripts/testenv/install.sh) and starts them as root, directly or via sudo -n.
# -race needs cgo; the shipped binary does not.
test: lint
	OTVET_REQUIRE_REAL_SERVERS=1 CGO_ENABLED=1 scripts/testenv/with-servers.sh \
		sh -c '$(GO) test -race -shuffle=on -count=1 -timeout 20m ./... && packaging/check.sh'

# Only the tests that need no servers (the rest skip).
test-fast:
	$(GO) test -shuffle=on ./...

lint: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Every Fuzz target in the repository, FUZZTIME each (`go test -fuzz` takes one target of one
# package at a time). New crashers are written to the package's testdata/fuzz/ and fail the run.
FUZZTIME ?= 10s
fuzz:
	@list=$$($(GO) test -list '^Fuzz' ./...) || { echo "$$list"; exit 1; }; \
	targets=$$(echo "$$list" | awk '/^Fuzz/ { f[n++] = $$1; next } /^ok/ { for (i = 0; i < n; i++) print $$2 "," f[i]; n = 0 }'); \
	[ -n "$$targets" ] || { echo "no Fuzz targets found"; exit 1; }; \
	echo "$$(echo "$$targets" | wc -l) Fuzz targets, $(FUZZTIME) each"; \
	for t in $$targets; do \
		pkg=$${t%,*} fn=$${t#*,}; \
		echo "== $$fn ($$pkg)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) "$$pkg" || exit 1; \
	done

# Load test against real Dovecot: N messages through `otvet poll --once`
# next to the raw IMAP FETCH rate.
loadtest: build
	scripts/testenv/with-servers.sh scripts/loadtest.sh $(or $(N),2000)

clean:
	rm -rf bin
