#!/usr/bin/env bash
# The netns layer: every t_*.sh here, each in a sandbox of its own. Each
# check prints PASS or FAIL; a case that dies without saying why counts as
# a failure, exit 77 means skipped. Ends with "netns: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

passed=0 failed=0 skipped=0
for t in t_*.sh; do
	[ -n "${CAMFENCE_NETNS_ONLY:-}" ] && [ "$t" != "$CAMFENCE_NETNS_ONLY" ] && continue
	echo "== $t"
	out=$(CF_TAG="cf$$-${t:2:4}" timeout 300 bash "./$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $t exited $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

left=$(ip netns list | grep -c "^cf$$-" || true)
if [ "$left" -ne 0 ]; then
	echo "FAIL $left network namespaces were left behind"
	failed=$((failed + 1))
fi
echo "netns: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
