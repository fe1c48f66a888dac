#!/usr/bin/env bash
# make check-fuzz: the policy parser and the DNS response parser under
# libFuzzer (docs/fuzzing.md).
#
#   tests/fuzz/run.sh BUILD_FUZZ_DIR
#
# For each target (fuzz_policy, fuzz_dns_answer):
# 1. Replays every file of its committed corpus (fuzz_policy: and every file
#    under tests/policies) through the harness once: each is one check.
# 2. Fuzzes for FUZZ_SECONDS (default 30; 0 only replays) from a scratch
#    copy of the corpus under BUILD_FUZZ_DIR, so the committed corpus never
#    churns: one check.
#
# Prints one summary line, "fuzz: N passed, N failed", and exits 1 when
# anything failed. A crash, leak, timeout or broken promise leaves its input
# under BUILD_FUZZ_DIR/artifacts and the path is printed with the report.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

dir=${1:-build/fuzz}
seconds=${FUZZ_SECONDS:-30}
artifacts=$dir/artifacts
limits=(-timeout=5 -rss_limit_mb=1024)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

case $seconds in
'' | *[!0-9]*)
	echo "check-fuzz: FUZZ_SECONDS must be a whole number of seconds, not '$seconds'"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
	;;
esac

mkdir -p "$artifacts"
pass=0 fail=0

# The sanitizer's or libFuzzer's report in a log, without the progress lines.
report() {
	awk '/^==[0-9]+==|^fuzz_[a-z_]+: |runtime error|^ERROR: libFuzzer|^ALARM|out-of-memory/ { on = 1 }
	     on && !/^#[0-9]+[ \t]/' "$1" | head -n 80
}

# fuzz_target NAME MAX_LEN DICT INPUT_DIR...: replays every file under the
# input directories (the first is the corpus), then fuzzes from a scratch
# copy of the corpus. DICT may be empty.
fuzz_target() {
	local name=$1 max_len=$2 dict=$3
	shift 3
	local bin=$dir/$name corpus=$1 scratch=$dir/corpus-$name log=$dir/$name.log
	local inputs f before new stats rc seed dictopt=()

	if [ ! -x "$bin" ]; then
		echo "check-fuzz: $bin is missing: make $bin"
		fail=$((fail + 1))
		return
	fi
	[ -z "$dict" ] || dictopt=(-dict="$dict")

	# whole (no -max_len); each replay is its own process so a failure
	# names its file
	mapfile -t inputs < <(find "$@" -type f | LC_ALL=C sort)
	local failed=0
	for f in "${inputs[@]}"; do
		if "$bin" "${limits[@]}" "$f" >"$dir/replay.log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			failed=$((failed + 1))
			echo "check-fuzz: FAIL replay of $f"
			report "$dir/replay.log"
			echo "check-fuzz: reproduce with $bin $f"
		fi
	done
	rm -f "$dir/replay.log"
	echo "check-fuzz: $name: replayed ${#inputs[@]} inputs, $failed failed"

	[ "$seconds" -eq 0 ] && return

	rm -rf "$scratch"
	mkdir -p "$scratch"
	cp "$corpus"/* "$scratch"/
	# Artifacts of earlier runs are kept; only this run's new ones count.
	before=$(find "$artifacts" -type f | LC_ALL=C sort)

	# A fixed seed makes make check explore the same inputs in the same
	# order every run; FUZZ_SEED=0 lets libFuzzer pick one for a longer hunt.
	seed=${FUZZ_SEED:-1}
	echo "check-fuzz: $name: fuzzing for ${seconds}s from $scratch, seed $seed (log: $log)"
	"$bin" "${limits[@]}" -seed="$seed" -max_len="$max_len" -max_total_time="$seconds" \
		"${dictopt[@]}" -artifact_prefix="$artifacts/" -print_final_stats=1 "$scratch" >"$log" 2>&1
	rc=$?

	new=$(comm -13 <(echo "$before") <(find "$artifacts" -type f | LC_ALL=C sort) | sed '/^$/d')
	stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$new" ]; then
		pass=$((pass + 1))
		echo "check-fuzz: $name: clean: ${stats:-no final stats}"
	else
		fail=$((fail + 1))
		echo "check-fuzz: $name: FAIL fuzzing (exit $rc, $(grep -m1 -E '^INFO: Seed:' "$log"))"
		report "$log"
		for a in $new; do
			echo "check-fuzz: reproducer: $a"
			echo "check-fuzz: reproduce with $bin $a"
		done
		[ -n "$new" ] || echo "check-fuzz: no reproducer written; see $log"
	fi
}

fuzz_target fuzz_policy 4096 tests/fuzz/policy.dict tests/fuzz/corpus/policy tests/policies
# a DNS message over UDP without EDNS is at most 512 bytes, with it rarely
# more than 1232 (the DNS flag day's size); 2048 covers both
fuzz_target fuzz_dns_answer 2048 "" tests/fuzz/corpus/dns_answer

echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
