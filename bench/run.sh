#!/usr/bin/env bash
# make bench: ns per packet of the XDP program against an XDP_PASS baseline
# and against xdp-filter's program, seconds to compile and push a policy of
# 100,000 rules, camfencectl check on policies of 10,000 devices, and
# camfenced's memory and CPU under 10,000 devices' flows (bench/daemon.sh),
# what it says of 1,000,000 blocked frames over 100,000 flows, more events
# than its ring buffer holds (bench/event_flood.sh),
# the forwarding drop rate of a router namespace under livegen's flood,
# camfence's XDP program against nftables and iptables (bench/fwd.sh), and
# camfence.ko's forwarding drop rate against nftables in the test VM
# (bench/kmod.sh; skipped with a note when the module is not built).
# Writes BUILD/bench/results.tsv (name<TAB>value<TAB>unit) and prints it as a
# table. Exits non-zero only when a measurement cannot be made; targets are
# for docs/PERFORMANCE.md to judge, not for this script.
#
#   BENCH_ROUNDS (7)  BENCH_REPEAT (1000000)  BENCH_CHECK_RUNS (5)  BENCH_PUSH_RUNS (3)
#   BENCH_XDPFILTER (libxdp1's /usr/lib/<multiarch>/bpf/xdpfilt_dny_all.o)
#   BENCH_DAEMON_* (bench/daemon.sh)  BENCH_FLOOD_* (bench/event_flood.sh)  BENCH_FWD_* (bench/fwd.sh)  BENCH_KMOD_* (bench/kmod.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
out=$build/bench
results=$out/results.tsv
rounds=${BENCH_ROUNDS:-7}
repeat=${BENCH_REPEAT:-1000000}
check_runs=${BENCH_CHECK_RUNS:-5}
push_runs=${BENCH_PUSH_RUNS:-3}
xdpfilter=${BENCH_XDPFILTER:-/usr/lib/$(uname -m)-linux-gnu/bpf/xdpfilt_dny_all.o}
# the checked files: 10,000 devices in as many groups as policies, each
# policy with an equal share of the rules
check_devices=10000 check_policies=100

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (BPF_PROG_TEST_RUN and map creation)"
for f in "$out/xdp_bench" "$out/pass.bpf.o" "$build/camfencectl"; do
	[ -e "$f" ] || die "$f is missing: run 'make bench'"
done
[ -e "$xdpfilter" ] ||
	die "$xdpfilter is missing: install libxdp1 (xdp-filter's programs) or set BENCH_XDPFILTER"
mkdir -p "$out"
tmp=$(mktemp "$out/results.XXXXXX")
trap 'rm -f "$tmp"' EXIT

echo "bench: XDP, $rounds rounds of $repeat packets per figure" >&2
"$out/xdp_bench" xdp "$out/pass.bpf.o" "$xdpfilter" "$rounds" "$repeat" >>"$tmp" ||
	die "XDP measurements failed"

echo "bench: compile and push 100,000 rules, $push_runs reloads" >&2
"$out/xdp_bench" push 100000 "$push_runs" >>"$tmp" || die "push measurements failed"

# check_time NAME RULES: median wall time of camfencectl check on a file of
# check_devices devices and RULES rules in all
check_time() {
	local name=$1 rules=$2 conf=$out/policy_$1.conf t0 t1 i median
	local times=()

	"$out/xdp_bench" policy "$conf" "$check_devices" "$check_policies" \
		$((rules / check_policies)) || die "cannot write $conf"
	for ((i = 0; i < check_runs; i++)); do
		t0=$(date +%s%N)
		"$build/camfencectl" check "$conf" >"$out/check.out" 2>&1 ||
			{ cat "$out/check.out" >&2; die "camfencectl check failed on $conf"; }
		t1=$(date +%s%N)
		times+=($((t1 - t0)))
	done
	echo "bench: $(head -n1 "$out/check.out" | sed "s|^$conf: ||")" >&2
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
		print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
	awk -v name="$name" -v ns="$median" \
		'BEGIN { printf "policy.check_%s_s\t%.3f\ts\n", name, ns / 1e9 }' >>"$tmp"
}
check_time 10k_devices 1000
check_time 10k_devices_100k_rules 100000

echo "bench: camfenced with 10,000 devices, in a sandbox of network namespaces" >&2
bench/daemon.sh "$build" >>"$tmp" || die "daemon measurements failed"

echo "bench: 1,000,000 blocked frames over 100,000 flows: event losses, alert limits, memory" >&2
bench/event_flood.sh "$build" >>"$tmp" || die "event flood measurements failed"

echo "bench: forwarding under a flood, XDP against netfilter, in a sandbox of network namespaces" >&2
bench/fwd.sh "$build" >>"$tmp" || die "forwarding measurements failed"

if [ -e "$build/kmod/camfence.ko" ]; then
	echo "bench: camfence.ko against nftables, in the test VM" >&2
	bench/kmod.sh "$build" >>"$tmp" || die "camfence.ko measurements failed"
else
	echo "bench: $build/kmod/camfence.ko is missing: no camfence.ko figures (make kmod)" >&2
fi

chmod 644 "$tmp"
mv "$tmp" "$results"
trap - EXIT
awk -F'\t' '{ printf "%-38s %10s %s\n", $1, $2, $3 }' "$results"
echo "bench: $results" >&2
