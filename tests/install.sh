#!/usr/bin/env bash
# make check-install: `make install` and `make uninstall` into scratch
# DESTDIRs, as a packager or an admin runs them.
#
#   DESTDIR/usr/sbin/camfenced, camfencectl     run: --version, check
#   DESTDIR/usr/lib/camfence/camfence.bpf.o     a BPF ELF object
#   DESTDIR/lib/systemd/system/camfenced.service  ExecStart at PREFIX's sbin
#   DESTDIR/usr/share/man/man5/camfence.conf.5  man finds and renders the
#   DESTDIR/usr/share/man/man8/camfenced.8,     installed pages; each lints
#                              camfencectl.8     clean and names every option
#                                                and command --help names,
#                                                and no other
#   DESTDIR/usr/share/doc/camfence/examples/camfence.conf
#   DESTDIR/usr/src/camfence-VERSION/           builds camfence.ko with Kbuild,
#                                               as dkms.conf's MAKE line does
#   contrib/openwrt                             tests/openwrt.sh: the procd init
#                                               script under a procd stand-in,
#                                               the package's build steps
#   docs/deploy.md's rsyslog files              tests/deploy_rsyslog.sh: run as
#                                               a fleet's router and collector
#
# Prints "install: N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

. tests/report.sh

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

# ---- man pages ----

# mandoc's lint at warning level: silent and exit 0, or the page has faults
lints_clean() {
	local out

	out=$(mandoc -T lint -W warning "$1" 2>&1)
	[ $? -eq 0 ] && [ -z "$out" ] || { echo "$out"; return 1; }
}

man_finds() {
	local want=$1 name=$2 got

	got=$(man -M "$usr/usr/share/man" -w "$name" 2>&1) || { echo "$got"; return 1; }
	[ "$got" = "$usr/usr/share/man/$want" ] || { echo "man -w $name: $got"; return 1; }
}

# the page as man renders it from the installed tree: ASCII, unhyphenated lines
man_render() {
	LC_ALL=C MANWIDTH=300 man -M "$usr/usr/share/man" "$1" 2>&1
}

man_renders() {
	local name=$1 want=$2 out

	out=$(man_render "$name") || { echo "$out"; return 1; }
	grep -qxF "       $want" <<<"$out" || { echo "no NAME line '$want' in:"; head -n 8 <<<"$out"; return 1; }
}

# the lines of one section (its heading and the lines up to the next) of a rendering
section_of() {
	awk -v want="$1" '/^[A-Z]/ { on = ($0 == want) } on'
}

# the first word of each tag (the line after .TP) of one .SH section of a
# page's source, \- read as -: a command's or an option's name
source_tags() {
	awk -v want="$2" '
		/^\.SH / { on = ($0 == ".SH " want) }
		on && tag { gsub(/\\-/, "-"); sub(/^\.[A-Z]+ */, ""); print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' "$1"
}

ctl_help_commands() {
	"$usr/usr/sbin/camfencectl" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'
}

daemon_help_options() {
	"$usr/usr/sbin/camfenced" --help | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# every command camfencectl --help lists is a tag in COMMANDS of the
# rendered page, and every tag in COMMANDS is a command --help lists
ctl_page_matches_help() {
	local cmds tags page c missing= extra=

	cmds=$(ctl_help_commands) && [ -n "$cmds" ] || { echo "camfencectl --help lists no command"; return 1; }
	# rendered once: grep -q ending a pipe early would fail it under pipefail
	page=$(man_render camfencectl | section_of COMMANDS)
	for c in $cmds; do
		grep -qE "^       $c( |\$)" <<<"$page" || missing+=" $c"
	done
	tags=$(source_tags "$usr/usr/share/man/man8/camfencectl.8" COMMANDS | awk '{ print $1 }')
	for c in $tags; do
		grep -qxF "$c" <<<"$cmds" || extra+=" $c"
	done
	[ -z "$missing$extra" ] || {
		[ -z "$missing" ] || echo "in camfencectl --help, not in camfencectl(8):$missing"
		[ -z "$extra" ] || echo "in camfencectl(8), not in camfencectl --help:$extra"
		return 1
	}
}

# every long option camfenced --help names is a tag in OPTIONS of the
# rendered page (--help itself too), and every one the page's tags name is
# in --help
daemon_page_matches_help() {
	local opts tags page o missing= extra=

	opts=$(daemon_help_options) && [ -n "$opts" ] || { echo "camfenced --help names no option"; return 1; }
	opts+=$'\n--help'
	page=$(man_render camfenced | section_of OPTIONS)
	for o in $opts; do
		grep -qE "^       (-[a-zA-Z], )?$o( |\$)" <<<"$page" || missing+=" $o"
	done
	tags=$(source_tags "$usr/usr/share/man/man8/camfenced.8" OPTIONS | grep -o -- '--[a-z][a-z-]*' | sort -u)
	for o in $tags; do
		grep -qxF -- "$o" <<<"$opts" || extra+=" $o"
	done
	[ -z "$missing$extra" ] || {
		[ -z "$missing" ] || echo "in camfenced --help, not in camfenced(8):$missing"
		[ -z "$extra" ] || echo "in camfenced(8), not in camfenced --help:$extra"
		return 1
	}
}

# docs/deploy.md's quarantine, added to the example policy, is a policy
# camfencectl check passes, the device's group a quarantine that allows nothing
deploy_quarantine_checks() {
	local policy=$scratch/quarantine.conf out

	{
		cat docs/examples/camfence.conf
		awk '/^4\. \*\*Quarantine\*\*/ { on = 1 } on && /^        / { sub(/^        /, ""); print; seen = 1; next }
			on && seen { exit }' docs/deploy.md
	} >"$policy"
	grep -q '^policy quarantine {' "$policy" || { echo "no quarantine policy in docs/deploy.md"; return 1; }
	"$usr/usr/sbin/camfencectl" check "$policy" >/dev/null || return 1
	out=$("$usr/usr/sbin/camfencectl" -c "$policy" explain b0:d5:9d:b9:f0:b4 192.168.20.5 tcp 554) || return 1
	grep -qx 'verdict: deny' <<<"$out" || { echo "$out"; return 1; }
}

for page in docs/man/*.[1-8]; do
	check "$page lints clean (mandoc -T lint -W warning)" lints_clean "$page"
done

check "make install PREFIX=/usr into a DESTDIR" installs "$usr" /usr
check "camfenced and camfencectl in /usr/sbin, 0755" \
	modes_are "$usr" 755 usr/sbin/camfenced usr/sbin/camfencectl
check "BPF object, unit, man page, example and module sources, 0644" \
	modes_are "$usr" 644 usr/lib/camfence/camfence.bpf.o lib/systemd/system/camfenced.service \
	usr/share/man/man5/camfence.conf.5 usr/share/man/man8/camfenced.8 usr/share/man/man8/camfencectl.8 \
	usr/share/doc/camfence/examples/camfence.conf \
	"usr/src/camfence-$version/dkms.conf" "usr/src/camfence-$version/Kbuild" \
	"usr/src/camfence-$version/kmod/hooks.c" "usr/src/camfence-$version/include/camfence_genl.h"
check "installed camfenced --version: camfenced $version" version_is
check "installed camfencectl check passes the installed example" \
	"$usr/usr/sbin/camfencectl" check "$usr/usr/share/doc/camfence/examples/camfence.conf"
check "installed camfence.bpf.o is an eBPF object" is_bpf_object "$usr/usr/lib/camfence/camfence.bpf.o"
check "unit runs /usr/sbin/camfenced" unit_runs "$usr/lib/systemd/system/camfenced.service" /usr/sbin
check "dkms.conf's version is $version" dkms_conf_version
check "docs/deploy.md's quarantine passes camfencectl check and denies even the NVR" deploy_quarantine_checks
check "man finds camfenced(8) in the DESTDIR" man_finds man8/camfenced.8 camfenced
check "man finds camfencectl(8) in the DESTDIR" man_finds man8/camfencectl.8 camfencectl
check "man finds camfence.conf(5) in the DESTDIR" man_finds man5/camfence.conf.5 camfence.conf
check "man renders camfenced(8)" man_renders camfenced "camfenced - camfence daemon: keeps IP cameras off the internet"
check "man renders camfencectl(8)" man_renders camfencectl "camfencectl - command line of camfence, the IP camera firewall"
check "man renders camfence.conf(5)" man_renders camfence.conf "camfence.conf - policy file of camfence, the IP camera firewall"
check "camfencectl(8) documents every command of camfencectl --help, and no other" ctl_page_matches_help
check "camfenced(8) documents every option of camfenced --help, and no other" daemon_page_matches_help
check "module sources build camfence.ko $version with Kbuild alone (as DKMS does)" dkms_tree_builds
check "make uninstall PREFIX=/usr: nothing left but the admin's policy" uninstall_clean "$usr" /usr

check "make install PREFIX=/usr/local into a DESTDIR" installs "$local" /usr/local
check "unit runs /usr/local/sbin/camfenced" unit_runs "$local/lib/systemd/system/camfenced.service" /usr/local/sbin
check "man pages under /usr/local/share/man" modes_are "$local" 644 usr/local/share/man/man5/camfence.conf.5 \
	usr/local/share/man/man8/camfenced.8 usr/local/share/man/man8/camfencectl.8
check "make uninstall PREFIX=/usr/local: nothing left but the admin's policy" uninstall_clean "$local" /usr/local

# part SCRIPT ARGS...: another script's checks count here, each as its own
# line; a run that fails without saying which check failed is a failure too
part() {
	local out rc before=$failed line

	out=$("$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		[a-z-]*": "[0-9]*" passed, "[0-9]*" failed") ;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	[ "$rc" -eq 0 ] || [ "$failed" -gt "$before" ] || fail "$1 exited $rc"
}

part tests/openwrt.sh build
part tests/deploy_rsyslog.sh

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
