#!/usr/bin/env bash
# make bench: ns per packet of the XDP program against an XDP_PASS baseline,
# and camfencectl check on a policy of 10,000 devices. Writes
# BUILD/bench/results.tsv (name<TAB>value<TAB>unit) and prints it as a table.
# Exits non-zero only when a measurement cannot be made; targets are for
# docs/PERFORMANCE.md to judge, not for this script.
#
#   BENCH_ROUNDS (7)  BENCH_REPEAT (1000000)  BENCH_CHECK_RUNS (5)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
out=$build/bench
results=$out/results.tsv
rounds=${BENCH_ROUNDS:-7}
repeat=${BENCH_REPEAT:-1000000}
check_runs=${BENCH_CHECK_RUNS:-5}

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (BPF_PROG_TEST_RUN and map creation)"
for f in "$out/xdp_bench" "$out/pass.bpf.o" "$build/camfencectl"; do
	[ -e "$f" ] || die "$f is missing: run 'make bench'"
done
mkdir -p "$out"
tmp=$(mktemp "$out/results.XXXXXX")
trap 'rm -f "$tmp"' EXIT

echo "bench: XDP, $rounds rounds of $repeat packets per figure" >&2
"$out/xdp_bench" xdp "$out/pass.bpf.o" "$rounds" "$repeat" >>"$tmp" || die "XDP measurements failed"

# every policy holds CAMFENCE_MAX_RULES rules, and there are as many policies
# as CAMFENCE_MAX_POLICIES allows
max() { sed -n "s/^#define CAMFENCE_MAX_$1[[:space:]]*\([0-9]*\).*/\1/p" include/camfence.h; }
policies=$(max POLICIES) rules=$(max RULES)
[ -n "$policies" ] && [ -n "$rules" ] || die "cannot read the limits from include/camfence.h"
conf=$out/policy_10k.conf
"$out/xdp_bench" policy "$conf" 10000 "$policies" "$rules" || die "cannot write $conf"
times=()
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
awk -v ns="$median" 'BEGIN { printf "policy.check_10k_devices_s\t%.3f\ts\n", ns / 1e9 }' >>"$tmp"

mv "$tmp" "$results"
trap - EXIT
awk -F'\t' '{ printf "%-28s %10s %s\n", $1, $2, $3 }' "$results"
echo "bench: $results" >&2
