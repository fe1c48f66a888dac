#!/usr/bin/env bash
# make check-install: `make install` and `make uninstall` into scratch
# DESTDIRs, as a packager or an admin runs them.
#
#   DESTDIR/usr/sbin/camfenced, camfencectl     run: --version, check
#   DESTDIR/usr/lib/camfence/camfence.bpf.o     a BPF ELF object
#   DESTDIR/lib/systemd/system/camfenced.service  ExecStart at PREFIX's sbin
#   DESTDIR/usr/share/man/man5/camfence.conf.5
#   DESTDIR/usr/share/doc/camfence/examples/camfence.conf
#   DESTDIR/usr/src/camfence-VERSION/           builds camfence.ko with Kbuild,
#                                               as dkms.conf's MAKE line does
#
# Prints "install: N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# check NAME CMD...: CMD's output is shown only when it fails
check() {
	local name=$1 out

	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		[ -z "$out" ] || sed 's/^/  # /' <<<"$out"
	fi
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/camfence-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
version=$(sed -n 's/^#define CAMFENCE_VERSION "\(.*\)"/\1/p' include/camfence.h)
usr=$scratch/usr
local=$scratch/local

installs() { make --no-print-directory -s install DESTDIR="$1" PREFIX="$2"; }
files_in() { (cd "$1" && find . -type f | sort); }

modes_are() {
	local root=$1 want=$2 f got

	shift 2
	for f in "$@"; do
		got=$(stat -c %a "$root/$f") || return 1
		[ "$got" = "$want" ] || { echo "$f: mode $got, not $want"; return 1; }
	done
}

version_is() {
	local out

	out=$("$usr/usr/sbin/camfenced" --version) || return 1
	[ "$out" = "camfenced $version" ] || { echo "camfenced --version: $out"; return 1; }
}

# unit_runs UNIT SBIN: every Exec line that runs camfenced runs SBIN's
unit_runs() {
	local unit=$1 sbin=$2

	grep -q "^ExecStart=$sbin/camfenced " "$unit" &&
		grep -q "^ExecStartPre=$sbin/camfenced --check " "$unit" &&
		[ "$(grep -c '^Exec.*camfenced' "$unit")" = "$(grep -c "^Exec[A-Za-z]*=$sbin/camfenced " "$unit")" ] ||
		{ grep '^Exec' "$unit"; return 1; }
}

is_bpf_object() {
	readelf -h "$1" | grep -q 'Machine: *Linux BPF' || { readelf -h "$1"; return 1; }
}

# the DKMS tree alone, copied out of DESTDIR, through Kbuild as dkms.conf's MAKE runs it
dkms_tree_builds() {
	local tree=$scratch/dkms kdir

	cp -r "$usr/usr/src/camfence-$version" "$tree" || return 1
	kdir=$(scripts/kdir.sh 2>/dev/null) || { echo "no kernel build tree (linux-headers-amd64)"; return 1; }
	make -s -C "$kdir" M="$tree" modules >"$scratch/kbuild.log" 2>&1 || { cat "$scratch/kbuild.log"; return 1; }
	[ "$(modinfo -F version "$tree/camfence.ko")" = "$version" ] ||
		{ modinfo "$tree/camfence.ko"; return 1; }
}

dkms_conf_version() {
	grep -q "^PACKAGE_VERSION=\"$version\"$" "$usr/usr/src/camfence-$version/dkms.conf" ||
		{ grep PACKAGE_VERSION "$usr/usr/src/camfence-$version/dkms.conf"; return 1; }
}

# uninstall takes away what install put, and nothing else: the admin's
# policy, planted beside, stays
uninstall_clean() {
	local root=$1 prefix=$2 left

	install -D -m 0644 docs/examples/camfence.conf "$root/etc/camfence/camfence.conf" || return 1
	make --no-print-directory -s uninstall DESTDIR="$root" PREFIX="$prefix" || return 1
	left=$(files_in "$root")
	[ "$left" = "./etc/camfence/camfence.conf" ] || { echo "left: $left"; return 1; }
}

check "make install PREFIX=/usr into a DESTDIR" installs "$usr" /usr
check "camfenced and camfencectl in /usr/sbin, 0755" \
	modes_are "$usr" 755 usr/sbin/camfenced usr/sbin/camfencectl
check "BPF object, unit, man page, example and module sources, 0644" \
	modes_are "$usr" 644 usr/lib/camfence/camfence.bpf.o lib/systemd/system/camfenced.service \
	usr/share/man/man5/camfence.conf.5 usr/share/doc/camfence/examples/camfence.conf \
	"usr/src/camfence-$version/dkms.conf" "usr/src/camfence-$version/Kbuild" \
	"usr/src/camfence-$version/kmod/hooks.c" "usr/src/camfence-$version/include/camfence_genl.h"
check "installed camfenced --version: camfenced $version" version_is
check "installed camfencectl check passes the installed example" \
	"$usr/usr/sbin/camfencectl" check "$usr/usr/share/doc/camfence/examples/camfence.conf"
check "installed camfence.bpf.o is an eBPF object" is_bpf_object "$usr/usr/lib/camfence/camfence.bpf.o"
check "unit runs /usr/sbin/camfenced" unit_runs "$usr/lib/systemd/system/camfenced.service" /usr/sbin
check "dkms.conf's version is $version" dkms_conf_version
check "module sources build camfence.ko $version with Kbuild alone (as DKMS does)" dkms_tree_builds
check "make uninstall PREFIX=/usr: nothing left but the admin's policy" uninstall_clean "$usr" /usr

check "make install PREFIX=/usr/local into a DESTDIR" installs "$local" /usr/local
check "unit runs /usr/local/sbin/camfenced" unit_runs "$local/lib/systemd/system/camfenced.service" /usr/local/sbin
check "man page under /usr/local/share/man" test -f "$local/usr/local/share/man/man5/camfence.conf.5"
check "make uninstall PREFIX=/usr/local: nothing left but the admin's policy" uninstall_clean "$local" /usr/local

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
