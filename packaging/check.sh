#!/usr/bin/env bash
# check.sh [DEB] — checks the Debian package (`make test` runs it; `make deb` builds DEB):
#   1. dpkg-deb --info/--contents: the control fields, the conffile and every file in its place;
#   2. lintian: any error or warning not accepted in packaging/lintian-overrides fails;
#   3. systemd-analyze verify on the unit (skipped, saying why, when it cannot run here);
#   4. install: as root with CI=true (or OTVET_DEB_INSTALL=1) the package is installed on this
#      machine with dpkg -i, checked (otvet user, /var/lib/otvet, secret key, the stamped
#      `otvet version`, config check, migrate, backup as the otvet user) and purged; otherwise
#      its files are unpacked into a scratch directory and the binary and config checked there.
# A missing tool (dpkg-deb, lintian, systemd-analyze) is a skip, and a failure under
# OTVET_REQUIRE_REAL_SERVERS=1 (make test), where scripts/testenv/install.sh has installed them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
require=${OTVET_REQUIRE_REAL_SERVERS:-0}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

fail() { echo "packaging/check: FAIL: $*" >&2; exit 1; }
skip() {
	if [[ $require == 1 ]]; then fail "$* (OTVET_REQUIRE_REAL_SERVERS=1; run scripts/testenv/install.sh)"; fi
	echo "packaging/check: SKIP: $*"
}
step() { echo "packaging/check: $*"; }
has() { command -v "$1" >/dev/null; }

has dpkg-deb || { skip "dpkg-deb not found: not a Debian system"; exit 0; }

version=${VERSION:-0.0.0+check}
deb=${1:-}
if [[ -z $deb ]]; then
	step "building the package (version $version)"
	(cd "$top" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X main.version=$version -X main.commit=check -X main.buildDate=2000-01-01T00:00:00Z" \
		-o "$scratch/otvet" ./cmd/otvet)
	deb=$("$here/build-deb.sh" "$scratch/otvet" "$version" "$scratch/out")
else
	version=$(dpkg-deb -f "$deb" Version)
fi

# 1. What the package holds.
info=$(dpkg-deb --info "$deb")
for f in "Package: otvet" "Architecture: amd64" "Depends: adduser" "Section: mail"; do
	grep -qF " $f" <<<"$info" || fail "dpkg-deb --info lacks '$f'"
done
[[ $(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) == /etc/otvet/config.yaml ]] ||
	fail "conffiles is not exactly /etc/otvet/config.yaml"
contents=$(dpkg-deb --contents "$deb")
for p in ./usr/bin/otvet ./lib/systemd/system/otvet.service ./etc/otvet/config.yaml ./var/lib/otvet/ \
	./usr/share/doc/otvet/README.md ./usr/share/doc/otvet/LICENSE ./usr/share/doc/otvet/CHANGELOG.md \
	./usr/share/doc/otvet/operations.md ./usr/share/doc/otvet/otvet-help.txt ./usr/share/doc/otvet/copyright \
	./usr/share/man/man1/otvet.1.gz ./usr/share/lintian/overrides/otvet; do
	grep -qE " ${p//./\\.}\$" <<<"$contents" || fail "dpkg-deb --contents lacks $p"
done
grep -E ' \./usr/bin/otvet$' <<<"$contents" | grep -q '^-rwxr-xr-x root/root' || fail "/usr/bin/otvet is not root-owned 0755"
step "contents ok: $(wc -l <<<"$contents") entries, $(du -k "$deb" | cut -f1) KiB"

# 2. Lintian (it warns about running as root; that line is noise here).
if has lintian; then
	rc=0
	out=$(lintian --fail-on error,warning "$deb" 2>&1) || rc=$?
	out=$(grep -v 'running with root privileges' <<<"$out" || true)
	[[ $rc == 0 ]] || { echo "$out" >&2; fail "lintian"; }
	step "lintian ok${out:+: $out}"
else
	skip "lintian not installed"
fi

# 3. The unit, as systemd reads it: offline, against the unpacked tree.
dpkg-deb -x "$deb" "$scratch/root"
if has systemd-analyze; then
	unit=$scratch/root/lib/systemd/system/otvet.service
	sed -i "s|^ExecStart=/usr/bin/otvet|ExecStart=$scratch/root/usr/bin/otvet|" "$unit"
	if out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$unit" 2>&1); then
		[[ -z $out ]] || fail "systemd-analyze verify warns: $out"
		step "systemd-analyze verify ok"
	elif grep -qiE 'failed to (connect|initialize)|not booted|no such file or directory.*(bus|private)|Operation not permitted' <<<"$out"; then
		echo "packaging/check: systemd-analyze verify cannot run here (a container without systemd?): $out"
	else
		echo "$out" >&2
		fail "systemd-analyze verify"
	fi
else
	skip "systemd-analyze not installed (Debian package systemd)"
fi

# A filled-in copy of the packaged configuration passes config check (secrets from the environment).
fill() {
	sed -e 's/example\.test/kgo66.ru/g' "$1" >"$2"
}
check_config() { # BINARY CONFIG [run-as prefix...]
	local bin=$1 cfg=$2
	shift 2
	out=$(env OTVET_SECRET_KEY=0123456789abcdef0123456789abcdef OTVET_DESKS_SD_IMAP_PASSWORD=x \
		OTVET_DESKS_SD_SMTP_PASSWORD=x "$@" "$bin" config check --config "$cfg") || fail "config check: $out"
	grep -q 'is valid' <<<"$out" || fail "config check: $out"
	! grep -q '^warning:' <<<"$out" || fail "config check still warns after the placeholders were filled: $out"
}

# 4. Install.
if [[ $(id -u) == 0 && (${CI:-} == true || ${OTVET_DEB_INSTALL:-0} == 1) ]]; then
	if dpkg-query -W -f='${Status}' otvet 2>/dev/null | grep -q 'install ok installed'; then
		fail "otvet is already installed on this machine; the check installs and purges its own"
	fi
	step "installing on this machine (dpkg -i), then purging"
	trap 'dpkg --purge otvet >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
	dpkg -i "$deb" >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log" >&2; fail "dpkg -i"; }
	grep -q 'not started' "$scratch/dpkg.log" || fail "postinst did not say what to do: $(cat "$scratch/dpkg.log")"
	got=$(/usr/bin/otvet version)
	[[ $got == "otvet $version "* ]] || fail "otvet version printed '$got', want $version"
	getent passwd otvet >/dev/null || fail "no otvet user"
	[[ $(stat -c %U:%a /var/lib/otvet) == otvet:750 ]] || fail "/var/lib/otvet is $(stat -c %U:%a /var/lib/otvet)"
	[[ $(stat -c %U:%G:%a /etc/otvet/secret_key) == root:otvet:640 ]] || fail "secret_key is $(stat -c %U:%G:%a /etc/otvet/secret_key)"
	if has systemctl && [[ -d /run/systemd/system ]]; then
		! systemctl is-enabled otvet.service >/dev/null 2>&1 || fail "the package enabled otvet.service"
		! systemctl is-active otvet.service >/dev/null 2>&1 || fail "the package started otvet.service"
	fi
	cfg=$scratch/config.filled.yaml
	fill /etc/otvet/config.yaml "$cfg"
	chmod 0755 "$scratch" && chmod 0644 "$cfg"
	ids=(env OTVET_DESKS_SD_IMAP_PASSWORD=x OTVET_DESKS_SD_SMTP_PASSWORD=x runuser -u otvet --)
	check_config /usr/bin/otvet "$cfg" "${ids[@]}"
	"${ids[@]}" /usr/bin/otvet migrate --config "$cfg" >/dev/null ||
		fail "otvet migrate as the otvet user"
	[[ $(stat -c %U /var/lib/otvet/otvet.db) == otvet ]] || fail "otvet.db is not the otvet user's"
	"${ids[@]}" /usr/bin/otvet backup /var/lib/otvet/check-backup.db --config "$cfg" >/dev/null ||
		fail "otvet backup as the otvet user"
	rm -f /var/lib/otvet/otvet.db* /var/lib/otvet/check-backup.db
	dpkg --purge otvet >/dev/null
	[[ ! -e /usr/bin/otvet && ! -e /etc/otvet ]] || fail "purge left /usr/bin/otvet or /etc/otvet"
	step "installed, checked and purged: $got"
else
	got=$("$scratch/root/usr/bin/otvet" version)
	[[ $got == "otvet $version "* ]] || fail "otvet version printed '$got', want $version"
	fill "$scratch/root/etc/otvet/config.yaml" "$scratch/config.filled.yaml"
	check_config "$scratch/root/usr/bin/otvet" "$scratch/config.filled.yaml"
	step "unpacked and checked (not installed: root with CI=true or OTVET_DEB_INSTALL=1 installs): $got"
fi
step "ok"
