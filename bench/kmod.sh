#!/usr/bin/env bash
# bench/kmod.sh BUILD: frames a second the router drops with camfence.ko
# alone, against an nftables rule set doing the same job, both in one boot
# of the test VM (tests/vm/run.sh, TCG) and in turns (bench/kmod_vm.sh has
# the topology, the policy and the rules).
#
#   host                                   VM (TCG, BENCH_KMOD_SMP CPUs)
#   build/kmod/camfence.ko, camgen,        cam --veth-- rt --veth-- wan
#   kmod_push (built here), nft    ----->  camgen flood   camfence.ko | nft
#   and their libraries (VM_EXTRA)         to 198.51.100.0/24, denied
#
# Prints name<TAB>value<TAB>unit lines on stdout (bench/run.sh appends them
# to results.tsv): kmod.drop_pps, kmod.nftables_drop_pps, their ratio
# kmod.drop_vs_nftables. Under TCG the absolute numbers are low; the ratio,
# taken in the same boot with the same flood, is the figure. Needs nft on
# the host to copy into the VM: installs Debian's nftables if it is missing.
# Exits non-zero only when a measurement cannot be made.
#
#   BENCH_KMOD_ROUNDS (7 each)  BENCH_KMOD_SECONDS (3)  BENCH_KMOD_RATE (200000 frames/s)
#   BENCH_KMOD_SMP (2)  BENCH_KMOD_MEM (1024 MB)
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "bench: kmod: $*" >&2; exit 1; }
say() { echo "bench: kmod: $*" >&2; }

build=${1:-build}
out=$build/bench
rounds=${BENCH_KMOD_ROUNDS:-7}
secs=${BENCH_KMOD_SECONDS:-3}
rate=${BENCH_KMOD_RATE:-200000}

[ "$(id -u)" -eq 0 ] || die "needs root (mknod in the initramfs)"
for f in kmod/camfence.ko camfencectl camgen libcamfence.a; do
	[ -e "$build/$f" ] || die "$build/$f is missing: run 'make BUILD=$build all kmod'"
done
if ! command -v nft >/dev/null; then
	say "nft is missing: installing Debian's nftables (apt-get install nftables)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables >&2 ||
		die "could not install nftables: install it to compare camfence.ko with nftables"
fi
nft=$(command -v nft)
mkdir -p "$out"
stage=$(mktemp -d "$out/kmod.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# shellcheck disable=SC2046 # pkg-config's words
"${CC:-cc}" -O2 -Wall -Iinclude -Idaemon $(pkg-config --cflags libnl-genl-3.0) \
	-o "$stage/kmod_push" tests/vm/kmod_push.c "$build/libcamfence.a" \
	$(pkg-config --libs libbpf libnl-genl-3.0 libmnl json-c) || die "could not build kmod_push"

kver=$(modinfo -F vermagic "$build/kmod/camfence.ko" | awk '{ print $1 }')
# nftables and what the conntrack rule needs, beyond what mkinitramfs.sh
# puts in for camfence.ko: decompressed, flat, as busybox insmod wants them
modules=""
for f in $(for m in nfnetlink nf_tables nft_ct; do
	modprobe -S "$kver" --show-depends "$m" || die "module $m: not found for $kver"
done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'); do
	name=$(basename "$f")
	case $f in
	*.xz)	name=${name%.xz}; xz -dc "$f" >"$stage/$name" ;;
	*.zst)	name=${name%.zst}; zstd -qdc "$f" >"$stage/$name" ;;
	*.gz)	name=${name%.gz}; gzip -dc "$f" >"$stage/$name" ;;
	*)	cp "$f" "$stage/$name" ;;
	esac
	modules="$modules $name"
done
cat >"$stage/bench.env" <<ENV
ROUNDS='$rounds'
SECS='$secs'
RATE='$rate'
BENCH_MODULES='${modules# }'
ENV

# binaries at their VM paths, every library ldd names at its own
extra="$stage/bench.env=/bench.env $stage/kmod_push=/usr/bin/kmod_push"
extra="$extra $build/camgen=/usr/bin/camgen $nft=/usr/sbin/nft"
for m in $modules; do
	extra="$extra $stage/$m=/lib/modules/$m"
done
for f in /etc/protocols /etc/services; do
	[ ! -e "$f" ] || extra="$extra $f"
done
libs=$(for b in "$stage/kmod_push" "$build/camgen" "$nft"; do
	ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u)
extra="$extra $libs"

say "booting the VM: $rounds rounds each of a ${secs} s flood at $rate frames/s"
log=$out/kmod_vm.log
VM_SCRIPT=bench/kmod_vm.sh VM_EXTRA="$extra" VM_SMP=${BENCH_KMOD_SMP:-2} \
	VM_MEM=${BENCH_KMOD_MEM:-1024} VM_TIMEOUT=$((300 + rounds * 2 * (secs + 30))) \
	VM_LOG=$log CAMFENCE_KO=$build/kmod/camfence.ko CAMFENCECTL=$build/camfencectl \
	tests/vm/run.sh >&2 || die "the VM run failed (console: $log)"
results=$(sed -n 's/^vmtest: # result \([^ ]*\) \([^ ]*\) \([^ ]*\)$/\1\t\2\t\3/p' "$log")
[ "$(echo "$results" | grep -c .)" -eq 3 ] || die "no figures in $log"
echo "$results"
