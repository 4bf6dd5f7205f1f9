#!/usr/bin/env bash
# install.sh [--check | --dry-run] — installs the real servers the integration tests run against:
# Dovecot (IMAP + LMTP), Postfix, PostgreSQL, plus swaks and TLS tooling, and the vmail user.
#
# Idempotent and silent when everything is there: only missing packages are installed, with a
# single `apt-get update`. Never starts system daemons (Debian's policy-rc.d stays in charge; the
# test servers are started by up.sh from their own config under a temporary directory).
#
#   --check    print what is missing and exit 1 if anything is; change nothing (any user)
#   --dry-run  print the commands that would run instead of running them (any user);
#              also TESTENV_DRY_RUN=1, so that callers such as up.sh can be dry-run
#
# Not root: re-runs itself through `sudo -n` when that works without a password, else says
# which command to run. up.sh runs this script itself before starting the servers.
set -euo pipefail

mode=install
case ${1:-} in
--check) mode=check ;;
--dry-run) mode=dry-run ;;
"") ;;
*)
	echo "usage: $0 [--check | --dry-run]" >&2
	exit 2
	;;
esac
[[ ${TESTENV_DRY_RUN:-0} == 1 && $mode == install ]] && mode=dry-run

packages=(
	dovecot-imapd dovecot-lmtpd # dovecot-core comes with them
	postfix
	postgresql                  # server + client (pg_isready, psql, initdb)
	swaks libnet-ssleay-perl    # SMTP client for manual end-to-end checks (TLS needs Net::SSLeay)
	openssl ssl-cert ca-certificates
	make gcc libc6-dev          # `make test`; `go test -race` needs cgo
	lintian fakeroot            # `make test` builds and lints the .deb (packaging/check.sh)
	systemd                     # systemd-analyze verify on the packaged unit
	chromium                    # the web console's browser test (internal/web, chromedp)
)

# One dpkg-query for all packages; it fails for packages it has never heard of, which are then
# simply not listed as installed.
installed=$(dpkg-query -W -f='${Package}\t${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
	grep -qxF "$p"$'\t'"install ok installed" <<<"$installed" || missing+=("$p")
done

need_vmail=0
getent passwd vmail >/dev/null || need_vmail=1

if [[ ${#missing[@]} -eq 0 && $need_vmail -eq 0 ]]; then
	exit 0
fi

report() {
	[[ ${#missing[@]} -gt 0 ]] && echo "  missing packages: ${missing[*]}" >&2
	[[ $need_vmail -eq 1 ]] && echo "  missing user: vmail" >&2
	return 0
}

case $mode in
check)
	echo "testenv/install: not everything is installed" >&2
	report
	exit 1
	;;
dry-run)
	echo "testenv/install: dry run, would run:"
	run() { printf '  %s\n' "$*"; }
	;;
install)
	if [[ $(id -u) -ne 0 ]]; then
		if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
			echo "testenv/install: not root; running through sudo -n" >&2
			exec sudo -n -- "$0"
		fi
		echo "testenv/install: not root, and sudo -n is not available; cannot install." >&2
		report
		echo "  run as root:  sudo $0" >&2
		exit 1
	fi
	run() { "$@"; }
	;;
esac

if [[ ${#missing[@]} -gt 0 ]]; then
	[[ $mode == dry-run ]] || echo "testenv/install: installing ${missing[*]}"
	# Postfix must not ask anything nor write /etc/postfix/main.cf; we run it from our own config.
	if [[ $mode == dry-run ]]; then
		run "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"
	else
		echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	fi
	export DEBIAN_FRONTEND=noninteractive
	run apt-get update -qq
	run apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ $need_vmail -eq 1 ]]; then
	# Owner of the test mailboxes (Dovecot's mail_uid).
	run useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin vmail
fi

[[ $mode == dry-run ]] || echo "testenv/install: done"
