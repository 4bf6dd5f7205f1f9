#!/usr/bin/env bash
# down.sh DIR — stops the servers that up.sh DIR started (tolerating ones already gone) and
# removes DIR, unless KEEP=1 (then the logs, mail and database files stay for inspection).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

[[ $# -eq 1 ]] || te_die "usage: $0 DIR"
D=$(realpath -m -- "$1")
[[ -d $D ]] || exit 0
[[ -e $D/.otvet-testenv ]] || te_die "$D was not made by up.sh; not touching it"
if [[ ${KEEP:-0} == 1 ]]; then
	te_stop "$D"
	echo "testenv: servers stopped; kept $D"
else
	te_stop "$D" fast
	rm -rf -- "$D"
fi
