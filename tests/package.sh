#!/usr/bin/env bash
# make check-package: the Debian packages, as debian/ builds them.
#
#   the tree as git holds it (its index: in a fresh clone, the commit),
#   copied to a scratch directory     dpkg-buildpackage -us -uc -b, offline
#                                     (a network namespace of its own)
#   camfence_VER-REV_ARCH.deb         binaries, BPF object, unit, man pages,
#                                     example, README.Debian; no /etc, no
#                                     conffile; Depends on the libraries the
#                                     binaries link; its postinst neither
#                                     enables nor starts the unit, an upgrade
#                                     try-restarts it, removal stops it
#   camfence-dkms_VER-REV_all.deb     /usr/src/camfence-VER: dkms.conf, Kbuild,
#                                     every kmod/ source, the shared headers;
#                                     Depends on dkms
#   both unpacked by dpkg into a scratch root (its own database)
#                                     camfenced --version, camfencectl check
#                                     on the example, dpkg --verify
#   the unpacked module sources       dkms build with scratch --dkmstree,
#                                     --sourcetree, --installtree and signing
#                                     key: camfence.ko VER for the newest
#                                     installed Debian kernel headers
#
# The packages are unpacked, not configured: configure runs their postinst,
# which talks to the host's systemd and DKMS (dpkg runs it chrooted into the
# scratch root, where there is no shell). camfence's maintainer scripts are
# run on their own instead, with systemd's helpers recorded; DKMS's build
# is run by hand, in scratch trees.
#
# Prints "package: N passed, N failed" last; exits non-zero on any failure.
# The build log is kept in build/package/dpkg-buildpackage.log.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

. tests/report.sh
summary() {
	echo "package: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

for tool in dpkg-buildpackage dh dh_dkms dkms fakeroot unshare; do
	command -v "$tool" >/dev/null || {
		fail "$tool is not installed (scripts/deps.sh installs it)"
		summary
		exit
	}
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/camfence-package.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# interrupted, it still goes through EXIT
trap 'exit 130' INT TERM
version=$(sed -n 's/^#define CAMFENCE_VERSION "\(.*\)"/\1/p' include/camfence.h)
arch=$(dpkg --print-architecture)
src=$scratch/camfence-$version
root=$scratch/root
logdir=build/package
mkdir -p "$logdir"
# whatever make, running this, passes its children is no business of the
# package build's, which runs its own make
unset MAKEFLAGS MFLAGS MAKELEVEL

# ---- build ----------------------------------------------------------------

# git's copy, not the working tree: what a fresh clone holds, without
# build/ or half-written files beside it
copy_tree() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git checkout-index -a --prefix="$src/"
	else
		mkdir -p "$src" && tar -cf - --exclude='./build*' --exclude=./.git . | tar -xf - -C "$src"
	fi
}

# in a network namespace of its own, where there is no network to use
build_packages() {
	if (cd "$src" && unshare --net -- dpkg-buildpackage -us -uc -b) >"$logdir/dpkg-buildpackage.log" 2>&1; then
		return 0
	fi
	echo "dpkg-buildpackage failed; the end of $logdir/dpkg-buildpackage.log:"
	tail -n 40 "$logdir/dpkg-buildpackage.log"
	return 1
}

check "copy of the tree from git to $scratch" copy_tree
check "dpkg-buildpackage -us -uc -b builds, offline" build_packages
debver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version 2>/dev/null)
deb=$scratch/camfence_${debver}_$arch.deb
dkmsdeb=$scratch/camfence-dkms_${debver}_all.deb
if [ ! -f "$deb" ] || [ ! -f "$dkmsdeb" ]; then
	fail "both packages built: $(cd "$scratch" && echo *.deb)"
	summary
	exit
fi
pass "both packages built: ${deb##*/} ${dkmsdeb##*/}"

# the build leaves beside the tree only what dpkg-buildpackage writes there
build_outputs_only() {
	local extra

	local f extra=()

	for f in "$scratch"/* "$scratch"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		"camfence-$version" | "camfence_${debver}_$arch.deb" | "camfence-dkms_${debver}_all.deb" | \
			"camfence-dbgsym_${debver}_$arch.deb" | "camfence_${debver}_$arch.buildinfo" | \
			"camfence_${debver}_$arch.changes") ;;
		*) extra+=("${f##*/}") ;;
		esac
	done
	[ ${#extra[@]} -eq 0 ] || { echo "beside the tree: ${extra[*]}"; return 1; }
}
check "the build wrote nothing beside the tree but the packages and their .changes" build_outputs_only

# ---- contents -------------------------------------------------------------

files_of() { dpkg-deb --fsys-tarfile "$1" | tar -tf - | sed 's|^\./|/|; s|/$||'; }
files_of "$deb" >"$scratch/camfence.files"
files_of "$dkmsdeb" >"$scratch/camfence-dkms.files"

# holds LIST PATH...: every PATH is in the package's file LIST
holds() {
	local list=$1 f missing=()

	shift
	for f in "$@"; do
		grep -q -x -F "$f" "$list" || missing+=("$f")
	done
	[ ${#missing[@]} -eq 0 ] || { printf 'missing: %s\n' "${missing[@]}"; return 1; }
}

man_pages=()
for f in "$src"/docs/man/*.[1-8]; do
	[ -e "$f" ] || continue
	man_pages+=("/usr/share/man/man${f##*.}/${f##*/}.gz")
done
kmod_tree=()
for f in "$src"/kmod/*.[ch]; do
	kmod_tree+=("/usr/src/camfence-$version/kmod/${f##*/}")
done

check "camfence holds camfenced, camfencectl, the BPF object and the unit" \
	holds "$scratch/camfence.files" /usr/sbin/camfenced /usr/sbin/camfencectl \
	/usr/lib/camfence/camfence.bpf.o /lib/systemd/system/camfenced.service
check "camfence holds every man page of docs/man (${#man_pages[@]}), camfence.conf(5) among them" \
	holds "$scratch/camfence.files" /usr/share/man/man5/camfence.conf.5.gz "${man_pages[@]}"
check "camfence holds the example policy and README.Debian" \
	holds "$scratch/camfence.files" /usr/share/doc/camfence/examples/camfence.conf \
	/usr/share/doc/camfence/README.Debian /usr/share/doc/camfence/copyright

# the policy is the admin's: a shipped one would be enforced on installation
ships_no_policy() {
	local etc conffiles

	etc=$(grep '^/etc' "$scratch/camfence.files")
	conffiles=$(dpkg-deb -I "$deb" conffiles 2>/dev/null)
	[ -z "$etc$conffiles" ] || { echo "under /etc: $etc"; echo "conffiles: $conffiles"; return 1; }
}
check "camfence ships no policy: nothing under /etc, no conffile" ships_no_policy

check "camfence-dkms holds /usr/src/camfence-$version: dkms.conf, Kbuild, the headers, every kmod/ source (${#kmod_tree[@]})" \
	holds "$scratch/camfence-dkms.files" "/usr/src/camfence-$version/dkms.conf" \
	"/usr/src/camfence-$version/Kbuild" "/usr/src/camfence-$version/include/camfence.h" \
	"/usr/src/camfence-$version/include/camfence_genl.h" "${kmod_tree[@]}"
holds_none_of_camfence() {
	! grep -E '^/usr/(sbin|lib)|^/lib/' "$scratch/camfence-dkms.files"
}
check "camfence-dkms holds nothing of camfence's" holds_none_of_camfence

# field_is DEB FIELD VALUE
field_is() {
	local got

	got=$(dpkg-deb -f "$1" "$2")
	[ "$got" = "$3" ] || { echo "$2: $got, not $3"; return 1; }
}

# names_of: the package names in the relationship field on stdin
names_of() { tr ',|' '\n' | sed -E 's/\(.*\)//; s/\[.*\]//; s/<.*>//; s/:.*//; s/[[:space:]]//g' | grep .; }

# names DEB FIELD NAME...: FIELD lists every NAME
names() {
	local deb=$1 field=$2 have n

	shift 2
	have=$(dpkg-deb -f "$deb" "$field" | names_of)
	for n in "$@"; do
		grep -q -x -F "$n" <<<"$have" || { echo "$field: $(dpkg-deb -f "$deb" "$field")"; return 1; }
	done
}

# the shared libraries the installed camfenced and camfencectl name (DT_NEEDED)
needed_libs() {
	local bin

	for bin in "$root"/usr/sbin/camfenced "$root"/usr/sbin/camfencectl; do
		readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'
	done | sort -u
}

# the packages of those libraries, found on this system: what
# ${shlibs:Depends} must have brought in
linked_packages() {
	local lib path pkg

	for lib in $(needed_libs); do
		ldd "$root/usr/sbin/camfenced" "$root/usr/sbin/camfencectl" |
			awk -v lib="$lib" '$1 == lib && $2 == "=>" { print $3; exit }'
	done | sort -u | while read -r path; do
		pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null ||
			dpkg -S "$(readlink -f "$path")" 2>/dev/null) || {
			echo "?unowned:$path"
			continue
		}
		echo "${pkg%%:*}"
	done | sort -u
}

build_depends() {
	awk '/^Build-Depends:/ { f = 1; sub(/^Build-Depends:/, ""); print; next }
		f && /^[ \t]/ { print; next } { f = 0 }' "$src/debian/control" | names_of
}

# The development package of every library the binaries name (the one
# holding its unversioned lib*.so, which the link line's -l found) is in
# Build-Depends, or something there depends on it (libpcap-dev on
# libpcap0.8-dev). libc's is build-essential.
build_depends_name_linked_libraries() {
	local reach lib devs missing=() p

	reach=$(for p in $(build_depends); do
		echo "$p"
		dpkg-query -W -f='${Depends}\n' "$p" 2>/dev/null | names_of
	done | sort -u)
	for lib in $(needed_libs); do
		[ "$lib" != libc.so.6 ] || continue
		devs=$(dpkg -S "*/${lib%%.so*}.so" 2>/dev/null | sed 's/: .*//' | tr ',' '\n' | sed 's/:.*//; s/ //g')
		[ -n "$devs" ] || { missing+=("$lib: no development package installed"); continue; }
		grep -q -x -F -f <(echo "$devs") <<<"$reach" || missing+=("$(echo "$devs" | head -n 1) (for $lib)")
	done
	[ ${#missing[@]} -eq 0 ] || { printf 'not in Build-Depends: %s\n' "${missing[@]}"; return 1; }
}

depends_on_linked_libraries() {
	local pkgs

	pkgs=$(linked_packages)
	grep -q . <<<"$pkgs" || { echo "no linked libraries found"; return 1; }
	! grep '^?unowned' <<<"$pkgs" || return 1
	# shellcheck disable=SC2086
	names "$deb" Depends $pkgs
}

version_upstream_is() {
	local got

	got=$(dpkg-deb -f "$1" Version | sed 's/-[^-]*$//')
	[ "$got" = "$version" ] || { echo "Version: $(dpkg-deb -f "$1" Version)"; return 1; }
}

check "camfence is Architecture $arch" field_is "$deb" Architecture "$arch"
check "camfence-dkms is Architecture all" field_is "$dkmsdeb" Architecture all
both_versions() { version_upstream_is "$deb" && version_upstream_is "$dkmsdeb"; }
check "both are version $version-*, CAMFENCE_VERSION's" both_versions
check "camfence Recommends camfence-dkms and ieee-data" names "$deb" Recommends camfence-dkms ieee-data
check "camfence-dkms Depends on dkms" names "$dkmsdeb" Depends dkms

# ---- maintainer scripts -----------------------------------------------------

dpkg-deb -e "$deb" "$scratch/control"
dpkg-deb -e "$dkmsdeb" "$scratch/control-dkms"

# Recording fakes of systemd's helpers, first in PATH while a maintainer
# script runs: each call is appended to $scratch/calls. Nothing was
# installed or enabled before, so queries answer no.
make_recorders() {
	local t

	mkdir -p "$scratch/recorders" || return 1
	for t in deb-systemd-helper deb-systemd-invoke systemctl; do
		cat >"$scratch/recorders/$t" <<-EOF || return 1
			#!/bin/sh
			echo "$t \$*" >>"$scratch/calls"
			case "\$*" in *debian-installed* | *was-enabled* | *is-enabled* | *is-active*) exit 1 ;; esac
			exit 0
		EOF
		chmod +x "$scratch/recorders/$t"
	done
}

# run_script SCRIPT ARGS...: a maintainer script of camfence as dpkg runs
# it on a systemd machine: /run/systemd/system exists (on a tmpfs over
# /run in a mount namespace of its own), the helpers are the recorders
# shellcheck disable=SC2016 # $0 and $@ are the inner shell's
run_script() {
	local t

	# never the host's own helpers
	for t in deb-systemd-helper deb-systemd-invoke systemctl; do
		[ -x "$scratch/recorders/$t" ] || { echo "no recorder for $t"; return 1; }
	done
	: >"$scratch/calls"
	unshare --mount --propagation private -- sh -c \
		'mount -t tmpfs camfence-run /run && mkdir -p /run/systemd/system && PATH="$0:$PATH" && exec "$@"' \
		"$scratch/recorders" "$@"
}

# called PATTERN / never PATTERN: whether the last script's calls match
called() { grep -q -E "$1" "$scratch/calls" || { echo "no call matching $1 in:"; cat "$scratch/calls"; return 1; }; }
never() { ! grep -E "$1" "$scratch/calls" || { echo "(calls matching $1)"; return 1; }; }

# A fresh installation registers the unit (so purge can clean up after
# it) and neither enables nor starts it.
install_leaves_unit_off() {
	run_script "$scratch/control/postinst" configure || return 1
	called '^deb-systemd-helper update-state camfenced.service$' &&
		never '^deb-systemd-invoke|^deb-systemd-helper enable|^systemctl .*(enable|start)'
}

# An upgrade restarts camfenced only if it runs, and enables nothing.
upgrade_try_restarts() {
	run_script "$scratch/control/postinst" configure 0.0.1-1 || return 1
	called '^deb-systemd-invoke try-restart camfenced.service$' &&
		never '^deb-systemd-invoke (start|restart)|^deb-systemd-helper enable|^systemctl .*(enable|start)'
}

# Removal stops the daemon; an upgrade leaves it running for try-restart.
remove_stops() {
	run_script "$scratch/control/prerm" upgrade 0.1.1-1 || return 1
	never 'stop' || { echo "(prerm upgrade)"; return 1; }
	run_script "$scratch/control/prerm" remove || return 1
	called '^deb-systemd-invoke stop camfenced.service$'
}

check "recorders of systemd's helpers for the maintainer scripts" make_recorders
check "camfence's postinst on installation registers camfenced.service, neither enables nor starts it" \
	install_leaves_unit_off
check "camfence's postinst on upgrade try-restarts camfenced, enables nothing" upgrade_try_restarts
check "camfence's prerm stops camfenced on removal, not on upgrade" remove_stops
check "camfence-dkms's postinst hands camfence $version to DKMS" \
	bash -c "grep -q '^DKMS_NAME=camfence\$' '$scratch/control-dkms/postinst' && grep -q '^DKMS_VERSION=$version\$' '$scratch/control-dkms/postinst' && grep -q 'common.postinst' '$scratch/control-dkms/postinst'"

# ---- installed --------------------------------------------------------------

# A dpkg database of its own under the scratch root. --force-depends: that
# database knows none of the host's packages (libc6, dkms...).
unpack_both() {
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" &&
		: >"$root/var/lib/dpkg/status" &&
		dpkg --root="$root" --log="$scratch/dpkg.log" --force-depends --unpack "$deb" "$dkmsdeb"
}

unpacked() {
	local p s

	for p in camfence camfence-dkms; do
		s=$(dpkg --root="$root" -s "$p" | sed -n 's/^Status: //p')
		[ "$s" = "install ok unpacked" ] || { echo "$p: $s"; return 1; }
	done
	dpkg --root="$root" --verify camfence camfence-dkms
}

version_is() {
	local out

	out=$("$root/usr/sbin/camfenced" --version) || return 1
	[ "$out" = "camfenced $version" ] || { echo "camfenced --version: $out"; return 1; }
}

is_bpf_object() {
	local head

	head=$(readelf -h "$1") || return 1
	grep -q 'Machine: *Linux BPF' <<<"$head" || { echo "$head"; return 1; }
}

check "dpkg unpacks both into a scratch root" unpack_both
check "dpkg's database there: both unpacked, every file as shipped (dpkg --verify)" unpacked
check "installed camfenced --version: camfenced $version" version_is
check "installed camfencectl check passes the installed example" \
	"$root/usr/sbin/camfencectl" check "$root/usr/share/doc/camfence/examples/camfence.conf"
every_bpf_object() {
	local f n=0

	for f in "$root"/usr/lib/camfence/*; do
		[ -e "$f" ] || continue
		is_bpf_object "$f" || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
bpf_objects_only() { every_bpf_object && is_bpf_object "$root/usr/lib/camfence/camfence.bpf.o"; }
check "installed /usr/lib/camfence holds eBPF objects only, camfence.bpf.o among them" bpf_objects_only
check "camfence Depends on the package of every library its binaries link" depends_on_linked_libraries
check "Build-Depends names the development package of every library they link" \
	build_depends_name_linked_libraries

# dpkg-buildflags' hardening reached the Makefile's compile and link
# lines. _FORTIFY_SOURCE shows where the compiler could check a call's
# bounds (a __*_chk import); not every binary has such a call.
hardened() {
	local bin fortified=0 head prog dyn syms

	# each readelf read whole first: grep -q leaving a pipe early would
	# fail the pipe (pipefail) when it matched
	for bin in "$root"/usr/sbin/camfenced "$root"/usr/sbin/camfencectl; do
		head=$(readelf -h "$bin") && prog=$(readelf -l "$bin") && dyn=$(readelf -d "$bin") &&
			syms=$(readelf --dyn-syms -W "$bin") || return 1
		grep -q 'Type: *DYN' <<<"$head" || { echo "$bin: not PIE"; return 1; }
		grep -q GNU_RELRO <<<"$prog" || { echo "$bin: no RELRO"; return 1; }
		grep -q 'FLAGS.*BIND_NOW' <<<"$dyn" || { echo "$bin: no BIND_NOW"; return 1; }
		# __stack_chk_fail is the stack protector's, not _FORTIFY_SOURCE's
		[ "$(grep -c '__[a-z]*_chk@' <<<"$syms")" -le "$(grep -c '__stack_chk' <<<"$syms")" ] || fortified=1
	done
	[ "$fortified" = 1 ] || { echo "no fortified function in either (_FORTIFY_SOURCE)"; return 1; }
}

check "installed camfenced and camfencectl are hardened: PIE, RELRO, BIND_NOW, _FORTIFY_SOURCE" hardened
check "installed unit runs /usr/sbin/camfenced" \
	grep -q '^ExecStart=/usr/sbin/camfenced ' "$root/lib/systemd/system/camfenced.service"

# ---- DKMS ----------------------------------------------------------------

# "VERSION DIR" of the newest Debian kernel whose build tree is installed:
# /lib/modules/VERSION/build, where dkms.conf's MAKE line looks, or the
# headers package's /usr/src/linux-headers-VERSION
kernel_tree() {
	local d v

	for d in /lib/modules/*/build /usr/src/linux-headers-*-"$arch"; do
		[ -f "$d/Makefile" ] || continue
		case $d in
		/lib/modules/*) v=${d#/lib/modules/} v=${v%/build} ;;
		*) v=${d#/usr/src/linux-headers-} ;;
		esac
		echo "$v $d"
	done | sort -V -k1,1 | tail -n 1
}

# dkms itself, every tree it writes under the scratch directory: its tree,
# the module sources (those dpkg unpacked), the install tree, its
# temporary files and the key it signs the module with (which dkms reads
# from the environment when framework.conf names none)
dkms_builds() {
	local kver=$1 kdir=$2 dk=$scratch/dkms ko status

	mkdir -p "$dk/tree" "$dk/install" "$dk/tmp" || return 1
	(
		export TMPDIR=$dk/tmp mok_signing_key=$dk/mok.key mok_certificate=$dk/mok.pub
		unshare --net -- dkms build "camfence/$version" -k "$kver" \
			--dkmstree "$dk/tree" --sourcetree "$root/usr/src" --installtree "$dk/install" \
			--kernelsourcedir "$kdir"
	) >"$logdir/dkms-build.log" 2>&1 || { cat "$logdir/dkms-build.log"; return 1; }
	ko=$(find "$dk/tree/camfence/$version/$kver" -name camfence.ko)
	[ -n "$ko" ] || { echo "no camfence.ko under $dk/tree"; cat "$logdir/dkms-build.log"; return 1; }
	[ "$(modinfo -F version "$ko")" = "$version" ] || { modinfo "$ko"; return 1; }
	status=$(dkms status -m camfence --dkmstree "$dk/tree" --sourcetree "$root/usr/src" \
		--installtree "$dk/install") || return 1
	grep -q "^camfence/$version, $kver, .*: built$" <<<"$status" || { echo "dkms status: $status"; return 1; }
}

read -r kver kdir < <(kernel_tree)
if [ -z "${kver:-}" ]; then
	fail "no Debian kernel build tree (linux-headers-$arch) to build camfence.ko with DKMS"
else
	check "dkms build, in scratch trees, of the unpacked sources: camfence.ko $version for $kver" \
		dkms_builds "$kver" "$kdir"
fi

summary
