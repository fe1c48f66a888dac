# shellcheck shell=bash
# bench/lib.sh: what the benches that run camfenced in a sandbox of network
# namespaces (daemon.sh, event_flood.sh, fwd.sh) share. Sourced from the top
# of the tree with BENCH set to the bench's name, for its messages:
#
#   BENCH="event flood"
#   . bench/lib.sh
#   bench_build "${1:-build}" all camfenced camfencectl camgen
#   bench_tools rsyslogd bpftool
#
# The sandbox itself is tests/netns/lib.sh's, sourced by each bench after
# it has set CF_TAG.

die() { echo "bench: $BENCH: $*" >&2; exit 1; }
say() { echo "bench: $BENCH: $*" >&2; }

# emit NAME VALUE UNIT: one line of results.tsv
emit() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }

# bench_build DIR TARGET FILE...: as root, with CF_BUILD the absolute path
# of DIR and every FILE in it (built by `make BUILD=DIR TARGET`).
bench_build() {
	local dir=$1 target=$2 f

	shift 2
	[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, XDP)"
	[ -d "$dir" ] || die "$dir is missing: run 'make bench'"
	export CF_BUILD
	CF_BUILD=$(cd "$dir" && pwd)
	for f in "$@"; do
		[ -e "$CF_BUILD/$f" ] || die "$CF_BUILD/$f is missing: run 'make BUILD=$dir $target'"
	done
}

# bench_tools COMMAND...: each on PATH
bench_tools() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || die "$c is missing: run scripts/deps.sh"
	done
}

# daemon_pid: camfenced's own pid. daemon_up records the pid of a chain
# that execs down to camfenced; follow children in case one of its links
# forked instead.
daemon_pid() {
	local p c

	p=$(cat "$CF_DIR/camfenced.pid")
	while [ "$(cat "/proc/$p/comm" 2>/dev/null)" != camfenced ]; do
		c=$(pgrep -P "$p" | head -n1) || return 1
		p=$c
	done
	echo "$p"
}

# cpu_ticks PID: utime + stime (fields 14 and 15 of /proc/PID/stat; the
# command name before them may hold blanks, so count from its ')')
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# unchanged SECONDS CMD...: CMD's output alike three times in a row, half a
# second apart; 1 when it still changes after SECONDS. CMD runs in this
# shell, so a die in it ends the bench.
unchanged() {
	local tries=$(($1 * 2)) prev="" cur same=0

	shift
	while [ $((tries -= 1)) -gt 0 ]; do
		sleep 0.5
		"$@" >"$CF_DIR/unchanged.out"
		cur=$(cat "$CF_DIR/unchanged.out")
		if [ "$cur" = "$prev" ]; then
			same=$((same + 1))
			[ "$same" -lt 2 ] || return 0
		else
			same=0
		fi
		prev=$cur
	done
	return 1
}

# proc_kb PID FIELD: a kB figure of /proc/PID/status (VmRSS, VmHWM...)
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# bench_flood_policy FILE WHO: the policy camgen flood's devices
# (02:00:00:00:00:00 and on, on the router's lan0) run under: the LAN and
# 10.0.0.0/8 allowed, everything else denied and logged. Root's, 0644, as
# camfenced wants a policy file.
bench_flood_policy() {
	cat >"$1" <<CONF
# $2: camgen flood's devices are 02:00:00:00:00:00 and on
zone bench {
	interface lan0
	unknown deny
}

group bench-cams {
	mac 02:00:00/24
	policy lan-only
}

policy lan-only {
	allow to local
	allow to 10.0.0.0/8
	default deny
}
CONF
	chmod 0644 "$1"
}
