#!/usr/bin/env bash
# make check: build everything, run every test layer (unit, bpf, fuzz, netns, vm, install, package)
# even when an earlier one fails, print one summary line per layer and a
# total, and fail if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "make check: the BPF, netns and VM layers need root (XDP, namespaces); run as root" >&2
	exit 1
fi

make --no-print-directory all kmod build/tests/unit_tests build/tests/bpf_tests || {
	echo "make check: the build failed"
	exit 1
}

status=0 total_pass=0 total_fail=0
summary=()
for layer in unit bpf fuzz netns vm install package; do
	log=build/check-$layer.log
	echo "== $layer"
	make --no-print-directory "check-$layer" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E "^$layer: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	if [ -z "$line" ]; then
		line="$layer: 0 passed, 1 failed (no summary, exit $rc)"
	fi
	[ "$rc" -eq 0 ] || status=1
	read -r p f < <(sed -E 's/^[a-z]+: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$line")
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "check: $total_pass passed, $total_fail failed"
exit "$status"
