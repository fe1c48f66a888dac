# shellcheck shell=bash
# The reporting the install, package, OpenWrt and rsyslog checks share:
# one PASS or FAIL line per check, counted in $passed and $failed for the
# caller's summary line.
passed=0 failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# check NAME CMD...: CMD's output is shown only when it fails; returns
# whether it passed
check() {
	local name=$1 out

	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		[ -z "$out" ] || sed 's/^/  # /' <<<"$out"
		return 1
	fi
}
