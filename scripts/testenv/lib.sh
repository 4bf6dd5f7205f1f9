# Shared helpers for up.sh and down.sh; sourced, not run.
# shellcheck shell=bash

te_die() {
	echo "testenv: $*" >&2
	exit 1
}

# te_pidfiles DIR: the master pid files of the three servers, in stop order.
te_pidfiles() {
	printf '%s\n' "$1/dovecot/run/master.pid" "$1/pfq/pid/master.pid" "$1/pg/data/postmaster.pid"
}

# te_owned PID DIR: true when PID is alive and was started for DIR (its command line or its
# environment mentions DIR). Guards against killing an unrelated process that reused a stale pid.
te_owned() {
	local pid=$1 dir=$2
	local cmdline environ
	[[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
	{ cmdline=$(tr "\\0" " " <"/proc/$pid/cmdline"); } 2>/dev/null || return 1
	{ environ=$(tr "\\0" " " <"/proc/$pid/environ"); } 2>/dev/null || true
	[[ "$cmdline $environ" == *"$dir/"* ]]
}

# te_pgid PID: prints the process group of PID (from /proc, so procps is not needed).
te_pgid() {
	local stat rest state pgrp
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	rest=${stat##*) }
	read -r state _ pgrp _ <<<"$rest"
	echo "$pgrp"
}

# te_group_alive PGID...: true while any process is in one of the groups.
te_group_alive() {
	local f stat rest state pgrp g
	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		rest=${stat##*) }
		read -r state _ pgrp _ <<<"$rest"
		for g in "$@"; do
			[[ $pgrp == "$g" && $state != Z ]] && return 0
		done
	done
	return 1
}

# te_signal SIG PID: signal PID's process group when PID leads one, else PID alone.
te_signal() {
	local sig=$1 pid=$2
	if [[ $(te_pgid "$pid") == "$pid" ]]; then
		kill "-$sig" -- "-$pid" 2>/dev/null || true
	else
		kill "-$sig" "$pid" 2>/dev/null || true
	fi
}

# te_stop DIR [fast]: stops every server started for DIR; tolerates dead and missing ones.
# With "fast", PostgreSQL stops without a shutdown checkpoint (for data about to be deleted).
te_stop() {
	local dir=$1 pgsig=INT pf pid pids=() i
	[[ ${2:-} == fast ]] && pgsig=QUIT
	while read -r pf; do
		[[ -f $pf ]] || continue
		pid=$(head -n1 "$pf" | tr -d ' ')
		te_owned "$pid" "$dir" || continue
		pids+=("$pid")
		case $pf in
		# PostgreSQL children lead their own groups: signal the postmaster, never wait for clients.
		*/postmaster.pid) kill "-$pgsig" "$pid" 2>/dev/null || true ;;
		*) te_signal TERM "$pid" ;;
		esac
	done < <(te_pidfiles "$dir")
	[[ ${#pids[@]} -eq 0 ]] && return 0
	for ((i = 0; i < 50; i++)); do # up to 5 s
		local alive=0
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[[ $alive -eq 0 ]] && break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			echo "testenv: pid $pid did not stop in 5 s; killing its process group" >&2
			te_signal KILL "$pid"
		fi
	done
	# Children of a killed master can linger for a moment holding ports and files.
	for ((i = 0; i < 30; i++)); do
		te_group_alive "${pids[@]}" || break
		sleep 0.1
	done
}

# te_as_root CMD...: runs CMD as root: directly when we are root, else through `sudo -n` when
# that works without a password; otherwise fails, saying what to run instead.
te_as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n -- "$@"
	else
		te_die "$(basename "$1") must run as root (the test servers switch users themselves) and sudo -n is" \
			"not available; run the whole command as root, e.g. \`sudo make test\`, or start the" \
			"servers yourself: \`sudo scripts/testenv/up.sh /tmp/te\`, then \`source /tmp/te/env\`"
	fi
}
