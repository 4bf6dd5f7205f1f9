#!/usr/bin/env bash
# Installs the real servers the integration tests run against: Dovecot (IMAP + LMTP), Postfix,
# PostgreSQL, plus swaks and TLS tooling. Idempotent: only missing packages are installed, with a
# single `apt-get update`. Never starts system daemons (Debian's policy-rc.d stays in charge; the
# test servers are started by up.sh from their own config under a temporary directory).
set -euo pipefail

packages=(
	dovecot-imapd dovecot-lmtpd # dovecot-core comes with them
	postfix
	postgresql                  # server + client (pg_isready, psql, initdb)
	swaks libnet-ssleay-perl    # SMTP client for manual end-to-end checks (TLS needs Net::SSLeay)
	openssl ssl-cert ca-certificates
	make gcc libc6-dev          # `make test`; `go test -race` needs cgo
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null; then
		missing+=("$p")
	fi
done

need_vmail=0
getent passwd vmail >/dev/null || need_vmail=1

if [[ ${#missing[@]} -eq 0 && $need_vmail -eq 0 ]]; then
	echo "testenv/install: everything is installed"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "testenv/install: not root, cannot install." >&2
	[[ ${#missing[@]} -gt 0 ]] && echo "  missing packages: ${missing[*]}" >&2
	[[ $need_vmail -eq 1 ]] && echo "  missing user: vmail" >&2
	echo "  run as root:  sudo $0" >&2
	exit 1
fi

if [[ ${#missing[@]} -gt 0 ]]; then
	echo "testenv/install: installing ${missing[*]}"
	# Postfix must not ask anything nor write /etc/postfix/main.cf; we run it from our own config.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ $need_vmail -eq 1 ]]; then
	# Owner of the test mailboxes (Dovecot's mail_uid).
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin vmail
fi

echo "testenv/install: done"
