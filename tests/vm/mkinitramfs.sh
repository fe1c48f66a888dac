#!/bin/bash
# Build the initramfs of the test VM.
#
#   mkinitramfs.sh OUT KVER KO CTL
#
# OUT   the gzipped newc cpio to write
# KVER  the kernel the VM boots; modules come from /lib/modules/KVER
# KO    camfence.ko, built against KVER
# CTL   camfencectl, with `camfencectl module`
#
# Inside: busybox (its applets in /bin), the iproute2 tools the tests need
# at their usual paths, camfencectl (and camfenced when it is beside it),
# genl_probe (built from genl_probe.c and
# genl_records.c here), kmod_push (from kmod_push.c, when the daemon's
# library is built), differential (from differential.c, when
# libcamfence.a is beside camfencectl), every shared library they use with the
# ld.so, /init, /tests.sh and /vmlib.sh (lib.sh) from this folder, and in /lib/modules (flat,
# uncompressed) camfence.ko, the modules it depends on and those the tests
# need (veth, 8021q). /vmtest.env tells the tests what to expect and what to load.
set -euo pipefail

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

[ $# -eq 4 ] || die "usage: mkinitramfs.sh OUT KVER KO CTL"
out=$1 kver=$2 ko=$3 ctl=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# Modules the tests use besides camfence.ko and what it depends on; clsact
# (sch_ingress) and cls_bpf carry the DNS snooper's TC filter.
TEST_MODULES="veth 8021q sch_ingress cls_bpf"
# Dynamic tools the tests call by path (busybox sh prefers its own applets).
TOOLS="/usr/sbin/ip /usr/sbin/genl"

[ -f "$ko" ] || die "$ko not found (make kmod)"
[ -x "$ctl" ] || die "$ctl not found or not executable"
[ -d "/lib/modules/$kver" ] || die "/lib/modules/$kver not found (install linux-image-$kver)"
busybox=$(command -v busybox) || die "busybox not found (install busybox-static)"
for t in $TOOLS; do
	[ -x "$t" ] || die "$t not found (install iproute2)"
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
trap 'exit 1' HUP INT PIPE TERM
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,lib/modules}

# A binary and every library ldd names (the "=> /path" ones and the ld.so),
# each at the path the dynamic linker will look for it.
copy_binary() {
	local src=$1 dst=$2 lib
	mkdir -p "$stage$(dirname "$dst")"
	cp -L "$src" "$stage$dst"
	# ldd fails on a static binary: there is nothing to copy then.
	{ ldd "$src" 2>/dev/null || true; } | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

copy_binary "$busybox" /bin/busybox
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
for t in $TOOLS; do
	copy_binary "$t" "$t"
done
copy_binary "$ctl" /usr/bin/camfencectl
# camfenced, built beside camfencectl: pushes a policy to the module
daemon=$(dirname "$ctl")/camfenced
[ ! -x "$daemon" ] || copy_binary "$daemon" /usr/sbin/camfenced
# the DNS snooper's test tool, built beside them
snoop=$(dirname "$ctl")/dns_snoop_cat
[ ! -x "$snoop" ] || copy_binary "$snoop" /usr/bin/dns_snoop_cat
"${CC:-cc}" -O2 -Wall -Wextra -I"$top/include" -o "$stage/genl_probe" "$here/genl_probe.c" "$here/genl_records.c" ||
	die "could not build genl_probe"
copy_binary "$stage/genl_probe" /usr/bin/genl_probe
rm "$stage/genl_probe"
# differential, linking the daemon's library built beside camfencectl
build=$(dirname "$ctl")
if [ -f "$build/libcamfence.a" ] && [ -f "$build/camfence.skel.h" ]; then
	# shellcheck disable=SC2046 # pkg-config's words
	"${CC:-cc}" -O2 -Wall -Wextra -D_GNU_SOURCE -I"$top/include" -I"$top/daemon" -I"$build" \
		-I"$top/tests/bpf" $(pkg-config --cflags libnl-genl-3.0) -o "$stage/differential" \
		"$here/differential.c" "$top/tests/bpf/packet.c" "$build/libcamfence.a" \
		$(pkg-config --libs libbpf libnl-genl-3.0 libmnl json-c libcares ldns) ||
		die "could not build differential"
	copy_binary "$stage/differential" /usr/bin/differential
	rm "$stage/differential"
fi
# kmod_push: policies and learned destinations through the daemon's client
if [ -f "$build/libcamfence.a" ]; then
	# shellcheck disable=SC2046 # pkg-config's words
	"${CC:-cc}" -O2 -Wall -D_GNU_SOURCE -I"$top/include" -I"$top/daemon" \
		$(pkg-config --cflags libnl-genl-3.0) -o "$stage/kmod_push" "$here/kmod_push.c" \
		"$build/libcamfence.a" \
		$(pkg-config --libs libbpf libnl-genl-3.0 libmnl json-c libcares ldns) ||
		die "could not build kmod_push"
	copy_binary "$stage/kmod_push" /usr/bin/kmod_push
	rm "$stage/kmod_push"
fi

# Module files in load order, dependencies first, for `modprobe -S` to
# resolve against the VM kernel's modules.dep; built-ins print no insmod.
module_files() {
	local m
	for m in "$@"; do
		modprobe -S "$kver" --show-depends "$m" ||
			die "module $m: not found for $kver"
	done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'
}

# The VM's busybox insmod takes a plain ELF file: decompress on the way in.
copy_module() {
	local src=$1 name
	name=$(basename "$src")
	case $src in
	*.ko.xz)	name=${name%.xz}; xz -dc "$src" >"$stage/lib/modules/$name" ;;
	*.ko.zst)	name=${name%.zst}; zstd -qdc "$src" >"$stage/lib/modules/$name" ;;
	*.ko.gz)	name=${name%.gz}; gzip -dc "$src" >"$stage/lib/modules/$name" ;;
	*)		cp "$src" "$stage/lib/modules/$name" ;;
	esac
	echo "$name"
}

load_list() {
	local f names=""
	for f in "$@"; do
		names="$names $(copy_module "$f")"
	done
	echo "${names# }"
}

depends=$(modinfo -F depends "$ko" | tr ',' ' ')
# shellcheck disable=SC2086 # word splitting wanted: one module per word
dep_files=$(module_files $depends)
# shellcheck disable=SC2086
test_files=$(module_files $TEST_MODULES)
# shellcheck disable=SC2086
dep_names=$(load_list $dep_files)
# shellcheck disable=SC2086
test_names=$(load_list $test_files)
cp "$ko" "$stage/lib/modules/camfence.ko"

version=$(sed -n 's/^#define CAMFENCE_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/include/camfence.h")
api=$(sed -n 's/^#define CAMFENCE_GENL_API[[:space:]]*\([0-9]*\)/\1/p' "$top/include/camfence_genl.h")
if [ -z "$version" ] || [ -z "$api" ]; then
	die "CAMFENCE_VERSION or CAMFENCE_GENL_API not found in $top/include"
fi

cat >"$stage/vmtest.env" <<EOF
EXPECT_VERSION='$version'
EXPECT_API='$api'
DEP_MODULES='$dep_names'
TEST_MODULES='$test_names'
EOF
# A policy and a capture of two frames for `camfencectl audit`: it loads the
# XDP program, so the VM kernel's verifier judges it, and runs both frames.
mkdir -p "$stage/etc/camfence"
cat >"$stage/etc/camfence/vm.conf" <<'CONF'
zone cams {
	interface lo
}
group cams {
	mac b0:d5:9d:b9:f0:b4
	policy lan
}
policy lan {
	allow to 192.168.10.0/24
	default deny
}
CONF
# pcap header, then UDP 192.168.10.204:40000 to 192.168.10.248:5004 and to
# 47.88.59.209:32100, each 60 bytes, from the camera's MAC
frame() {
	printf '\x3c\x00\x00\x00\x3c\x00\x00\x00'
	printf '\x02\xcf\x00\x00\x00\x01\xb0\xd5\x9d\xb9\xf0\xb4\x08\x00'
	printf '\x45\x00\x00\x2e\x00\x00\x00\x00\x40\x11\x00\x00\xc0\xa8\x0a\xcc'
	printf '%b' "$1"
	printf '\x9c\x40'
	printf '%b' "$2"
	printf '\x00\x1a\x00\x00'
	printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
}
{
	printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00'
	printf '\x01\x00\x00\x00\x00\x00\x00\x00'
	frame '\xc0\xa8\x0a\xf8' '\x13\x8c'
	printf '\x02\x00\x00\x00\x00\x00\x00\x00'
	frame '\x2f\x58\x3b\xd1' '\x7d\x64'
} >"$stage/etc/camfence/vm.pcap"

install -m 0755 "$here/init.sh" "$stage/init"
install -m 0755 "$here/tests.sh" "$stage/tests.sh"
install -m 0644 "$here/lib.sh" "$stage/vmlib.sh"
# The kernel opens /dev/console for init before anything is mounted.
mknod -m 0600 "$stage/dev/console" c 5 1 || die "mknod /dev/console: run as root"

(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -1 >"$out"
