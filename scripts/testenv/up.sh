#!/usr/bin/env bash
# up.sh DIR — starts Dovecot (IMAP, IMAPS, LMTP), Postfix (SMTP, submission) and PostgreSQL for
# the integration tests, all on 127.0.0.1, on free ports chosen now, with every file under DIR.
# Writes DIR/env (shell `export` lines, see docs/testing.md). Stop with down.sh DIR.
# Needs root (Postfix and Dovecot drop privileges themselves). Runs scripts/testenv/install.sh
# first, which installs whatever is missing and is silent when nothing is.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

[[ $# -eq 1 ]] || te_die "usage: $0 DIR   (a short path such as /tmp/otvet-te)"
[[ $(id -u) -eq 0 ]] || te_die "up.sh must run as root (Postfix and Dovecot switch users themselves)"
# Install what is missing (a fresh machine); concurrent runs take turns with apt.
command -v flock >/dev/null || te_die "flock not found (Debian package util-linux)"
(
	flock 8
	"$here/install.sh"
) 8>/tmp/otvet-testenv-install.lock || te_die "scripts/testenv/install.sh failed"
for cmd in dovecot postfix postconf swaks openssl runuser; do
	command -v "$cmd" >/dev/null || te_die "$cmd not found although install.sh succeeded"
done
getent passwd vmail >/dev/null || te_die "user vmail missing although install.sh succeeded"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x $pgbin/initdb ]] || te_die "PostgreSQL server not found although install.sh succeeded"

D=$(realpath -m -- "$1")
# Unix socket paths must stay under 108 bytes; the longest one is DIR/pg/run/.s.PGSQL.NNNNN.
[[ ${#D} -le 64 ]] || te_die "DIR too long (${#D} bytes; max 64): $D"
[[ $D != / ]] || te_die "refusing DIR=/"
start=$(date +%s%N)

# A DIR from an earlier run: stop what it left running and start afresh. Anything else must be
# empty, so that we never clobber someone's files.
if [[ -e $D/.otvet-testenv ]]; then
	te_stop "$D" fast
	find "$D" -mindepth 1 -delete
elif [[ -d $D && -n $(ls -A "$D") ]]; then
	te_die "$D exists, is not empty and was not made by up.sh"
fi
mkdir -p "$D"
chmod 755 "$D"
touch "$D/.otvet-testenv"
runuser -u vmail -- test -x "$D" ||
	te_die "$D is not reachable by other users (a parent directory is not world-executable); use /tmp/..."

# From here on, a failure stops whatever was already started.
# shellcheck disable=SC2154 # rc is assigned inside the trap
trap 'rc=$?; [[ $rc -eq 0 ]] || te_stop "$D" fast; exit $rc' EXIT

mkdir -p "$D/log" "$D/tls" "$D/mail" "$D/dovecot" "$D/postfix" "$D/pg" "$D/pfq" "$D/pfd"
chown postfix "$D/pfd"
chmod 700 "$D/pfd"
chown vmail:vmail "$D/mail"
chown postgres:postgres "$D/pg"
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
# Pristine copies of expensive, run-independent state (an initdb'd PostgreSQL cluster).
cache=${OTVET_TESTENV_CACHE:-/var/cache/otvet-testenv}
domain=example.test

# --- ports -------------------------------------------------------------------------------------
# Chosen below the kernel's ephemeral range (so no outgoing connection can take them meanwhile)
# and not in use now. Concurrent up.sh runs serialise on a lock until their servers listen.
exec 9>/tmp/otvet-testenv.lock
flock 9
read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range
[[ $eph_lo -gt 12000 ]] || eph_lo=32768
used=" "
while read -r _ local _; do
	[[ $local == *:* ]] && used+="$((16#${local##*:})) "
done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
pick_port() { # VAR: sets VAR to a free port (no subshell, so `used` keeps every pick)
	local p
	while :; do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % (eph_lo - 10000)))
		[[ $used == *" $p "* ]] && continue
		used+="$p "
		printf -v "$1" '%s' "$p"
		return
	done
}
imap_port='' imaps_port='' smtp_port='' subm_port='' pg_port='' strip_port=''
pick_port imap_port
pick_port imaps_port
pick_port smtp_port
pick_port subm_port
pick_port pg_port
pick_port strip_port

# --- TLS: one self-signed certificate for 127.0.0.1 and localhost -----------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=otvet test server" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$D/tls/key.pem" -out "$D/tls/cert.pem" 2>"$D/log/openssl.log" ||
	{ cat "$D/log/openssl.log" >&2; te_die "openssl failed"; }
chmod 600 "$D/tls/key.pem"
chmod 644 "$D/tls/cert.pem"

# --- PostgreSQL: initdb and start in the background while the mail servers start --------------
(
	exec 9>&- </dev/null >"$D/log/pg-start.log" 2>&1
	# initdb costs seconds of CPU; a pristine cluster is kept in the cache and copied.
	template=$cache/pg-${pgbin//\//_}-v1
	if [[ -d $template ]]; then
		cp -a "$template" "$D/pg/data"
	else
		printf '%s\n' "$password" >"$D/pg/pwfile"
		chown postgres:postgres "$D/pg/pwfile"
		chmod 600 "$D/pg/pwfile"
		runuser -u postgres -- "$pgbin/initdb" -D "$D/pg/data" -U otvet --pwfile="$D/pg/pwfile" \
			--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
			--no-sync --no-instructions
		rm -f "$D/pg/pwfile"
		if mkdir -p "$cache" 2>/dev/null; then
			tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
			# shellcheck disable=SC2015 # either step may fail: another run won the race
			cp -a "$D/pg/data" "$tmp/data" && mv -T "$tmp/data" "$template" 2>/dev/null || true
			rm -rf "$tmp"
		fi
	fi
	runuser -u postgres -- mkdir -p "$D/pg/run"
	cat >>"$D/pg/data/postgresql.conf" <<-CONF
		# otvet test environment (scripts/testenv/up.sh): throwaway data, speed over durability
		listen_addresses = '127.0.0.1'
		port = $pg_port
		unix_socket_directories = '$D/pg/run'
		max_connections = 300
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		logging_collector = off
	CONF
	# pg_ctl puts the postmaster in its own session, so down.sh can signal its process group.
	runuser -u postgres -- "$pgbin/pg_ctl" -D "$D/pg/data" -l "$D/pg/postgres.log" -s -w -t 60 start
	# Every run gets its own password, also when the cluster came from the cache.
	runuser -u postgres -- "$pgbin/psql" -X -q -h "$D/pg/run" -p "$pg_port" -U otvet -d postgres \
		-c "ALTER ROLE otvet PASSWORD '$password'"
) &
pg_job=$!

# --- Dovecot -----------------------------------------------------------------------------------
vmail_uid=$(id -u vmail)
cat >"$D/dovecot/dovecot.conf" <<CONF
# otvet test environment (scripts/testenv/up.sh)
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $D/dovecot/run
state_dir = $D/dovecot/state
instance_name = otvet-te-${D//\//-}
log_path = $D/log/dovecot.log
ssl = yes
ssl_cert = <$D/tls/cert.pem
ssl_key = <$D/tls/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
# Any user, one password: every test takes fresh mailbox names and never collides with another.
passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$D/mail/%d/%n allow_all_users=yes
}
first_valid_uid = $vmail_uid
last_valid_uid = $vmail_uid
mail_location = maildir:~/Maildir
mail_fsync = never
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \Drafts
  }
  mailbox Junk {
    special_use = \Junk
  }
  mailbox Sent {
    special_use = \Sent
  }
  mailbox Trash {
    special_use = \Trash
  }
}
default_process_limit = 500
default_client_limit = 2000
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  unix_listener $D/dovecot/lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
protocol imap {
  mail_max_userip_connections = 1000
}
protocol lmtp {
  postmaster_address = postmaster@$domain
}
CONF
# Dovecot keeps the stdio it inherits open forever: give it files, never our pipes.
dovecot -c "$D/dovecot/dovecot.conf" 9>&- </dev/null >>"$D/log/dovecot.log" 2>&1 ||
	{ tail -n 20 "$D/log/dovecot.log" >&2; te_die "dovecot did not start"; }

# --- Postfix -----------------------------------------------------------------------------------
cat >"$D/postfix/main.cf" <<CONF
# otvet test environment (scripts/testenv/up.sh)
compatibility_level = 3.6
queue_directory = $D/pfq
data_directory = $D/pfd
mail_owner = postfix
setgid_group = postdrop
maillog_file = $D/log/postfix.log
maillog_file_prefixes = $D/log
myhostname = mail.$domain
mydomain = $domain
myorigin = $domain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtp_bind_address = 127.0.0.1
mynetworks = 127.0.0.0/8
# Nothing is local and nothing leaves the machine: only $domain is accepted, delivered by LMTP
# into Dovecot; relaying is refused at RCPT and the error: transports are a second guard.
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:local delivery is disabled in the test environment
default_transport = error:mail leaves nowhere from the test environment
relay_transport = error:mail leaves nowhere from the test environment
virtual_mailbox_domains = $domain
virtual_mailbox_maps =
virtual_alias_maps =
virtual_transport = lmtp:unix:$D/dovecot/lmtp
recipient_delimiter = +
smtpd_reject_unlisted_recipient = no
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP otvet-test
smtpd_client_connection_count_limit = 0
smtpd_tls_cert_file = $D/tls/cert.pem
smtpd_tls_key_file = $D/tls/key.pem
smtpd_tls_security_level = may
smtp_tls_security_level = none
lmtp_tls_security_level = none
disable_dns_lookups = yes
smtp_dns_support_level = disabled
biff = no
in_flow_delay = 0
message_size_limit = 52428800
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
delay_warning_time = 0
notify_classes =
CONF
cat >"$D/postfix/master.cf" <<CONF
# otvet test environment (scripts/testenv/up.sh); chroot off everywhere (absolute socket paths)
$smtp_port inet n - n - - smtpd
$subm_port inet n - n - - smtpd -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt
# Opt-in (OTVET_TEST_SMTP_STRIP_AUTHRES_ADDR): an MX that drops every Authentication-Results header.
$strip_port inet n - n - - smtpd -o syslog_name=postfix/strip -o cleanup_service_name=cleanup-strip
cleanup-strip unix n - n - 0 cleanup -o header_checks=regexp:$D/postfix/strip-authres
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
echo '/^Authentication-Results:/ IGNORE' >"$D/postfix/strip-authres"
# Postfix waits ~2 s at start when its config changed in the last seconds.
touch -d '-1 min' "$D/postfix/main.cf" "$D/postfix/master.cf"
# Its start checks (post-install, postsuper, find) cost seconds of CPU on a busy machine; create
# the queue as /etc/postfix/postfix-files says and skip them. A failed start runs the checks.
for q in active bounce corrupt defer deferred flush hold incoming private saved trace; do
	install -d -o postfix -m 700 "$D/pfq/$q"
done
install -d -o postfix -g postdrop -m 730 "$D/pfq/maildrop"
install -d -o postfix -g postdrop -m 710 "$D/pfq/public"
install -d -o root -m 755 "$D/pfq/pid"
touch "$D/pfq/quick-start"
if ! postfix -c "$D/postfix" start 9>&- </dev/null >>"$D/log/postfix-start.log" 2>&1; then
	# Postfix prints its reasons only to a terminal; give it one.
	script -qec "postfix -c '$D/postfix' check" /dev/null >&2 || true
	tail -n 20 "$D/log/postfix.log" >&2 2>/dev/null || true
	te_die "postfix did not start"
fi

# --- wait until every server answers ------------------------------------------------------------
greets() { # PORT PREFIX: the server's first line starts with PREFIX
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 2 line <&3 || { exec 3>&-; return 1; }
	exec 3>&-
	[[ $line == "$2"* ]]
}
fail() {
	echo "testenv: $1 did not come up; log tails:" >&2
	for f in "$D/log/dovecot.log" "$D/log/postfix.log" "$D/log/postfix-start.log" \
		"$D/log/pg-start.log" "$D/pg/postgres.log"; do
		[[ -s $f ]] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }
	done
	exit 1
}
wait_for() { # NAME CMD...: up to 30 s
	local i
	for ((i = 0; i < 300; i++)); do
		"${@:2}" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1"
}
wait_for "dovecot imap" greets "$imap_port" "* OK"
wait_for "dovecot imaps" bash -c "exec 3<>/dev/tcp/127.0.0.1/$imaps_port"
wait_for "dovecot lmtp" test -S "$D/dovecot/lmtp"
wait_for "postfix smtp" greets "$smtp_port" "220 "
wait_for "postfix submission" greets "$subm_port" "220 "
wait_for "postfix strip" greets "$strip_port" "220 "
wait "$pg_job" || fail "postgresql (initdb or pg_ctl)"
wait_for "postgresql" "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
flock -u 9
exec 9>&-

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
cat >"$D/env" <<ENV
# written by scripts/testenv/up.sh; source it. Stop the servers with scripts/testenv/down.sh $(q "$D")
export OTVET_TEST_DIR=$(q "$D")
export OTVET_TEST_IMAP_ADDR=127.0.0.1:$imap_port
export OTVET_TEST_IMAPS_ADDR=127.0.0.1:$imaps_port
export OTVET_TEST_SMTP_ADDR=127.0.0.1:$smtp_port
export OTVET_TEST_SUBMISSION_ADDR=127.0.0.1:$subm_port
export OTVET_TEST_SMTP_STRIP_AUTHRES_ADDR=127.0.0.1:$strip_port
export OTVET_TEST_CA_FILE=$(q "$D/tls/cert.pem")
export OTVET_TEST_MAIL_DOMAIN=$domain
export OTVET_TEST_IMAP_PASSWORD=$password
export OTVET_TEST_PG_DSN=$(q "postgres://otvet:$password@127.0.0.1:$pg_port/postgres?sslmode=disable")
export OTVET_TEST_DOVECOT_DIR=$(q "$D/dovecot")
export OTVET_TEST_LMTP_SOCKET=$(q "$D/dovecot/lmtp")
export OTVET_TEST_MAIL_ROOT=$(q "$D/mail/$domain")
ENV
chmod 644 "$D/env"
echo "testenv: servers up in $((($(date +%s%N) - start) / 1000000)) ms under $D (source $D/env)"
