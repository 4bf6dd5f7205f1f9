#!/usr/bin/env bash
# with-servers.sh CMD... — starts the test servers (up.sh) in a fresh temporary directory, runs
# CMD with their OTVET_TEST_* variables in the environment, always stops them (down.sh) and
# exits with CMD's status. KEEP=1 keeps the directory (logs, mail, database) afterwards.
# up.sh installs missing servers first (install.sh). up.sh and down.sh need root: when this
# script is not root they run through `sudo -n`, and without that it stops and says what to do;
# CMD itself runs as the caller.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
[[ $# -ge 1 ]] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

dir=$(mktemp -d /tmp/otvet-te.XXXXXX)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[[ -e $dir/.otvet-testenv ]] || { rmdir "$dir" 2>/dev/null || true; return 0; }
	te_as_root env KEEP="${KEEP:-0}" "$here/down.sh" "$dir" || echo "with-servers: down.sh $dir failed" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

te_as_root "$here/up.sh" "$dir"
# shellcheck disable=SC1091
. "$dir/env"

# CMD runs in the background so that a signal to this script is handled at once: it is passed
# on to CMD, and the servers stop after CMD has gone.
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
status=0
while :; do
	wait "$child" && status=0 || status=$?
	kill -0 "$child" 2>/dev/null || break # wait returned for a trapped signal, not an exit
done
exit "$status"
