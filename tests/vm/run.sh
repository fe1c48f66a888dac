#!/bin/bash
# VM layer: camfence.ko loaded in QEMU booting Debian's own kernel.
#
#   host                                    VM (TCG, 512 MB, ttyS0)
#   build/kmod/camfence.ko --vermagic--> /boot/vmlinuz-$KVER
#   build/camfencectl       mkinitramfs   /init -> /tests.sh -> poweroff -f
#   busybox, iproute2       ----------->  "vmtest: PASS|FAIL ..." on the console
#
# The host kernel cannot load modules, so this is the only place the module
# runs. KVER is the kernel the module was built for, read from it. Prints
# every test line, then exactly one "vm: N passed, N failed"; exits 0 only if
# nothing failed and the VM got to the end of the tests.
#
# Environment: CAMFENCE_KO, CAMFENCECTL (binaries under test), QEMU,
# VM_TIMEOUT (seconds, default 900: under TCG on a busy machine the layer takes minutes), VM_LOG (keep the console log there),
# VM_MEM (MB, default 512), VM_SMP (CPUs, default 2: the counters test
# sends from each),
# VM_SCRIPT (run in the VM instead of tests.sh, as /tests.sh; it reports the
# same way), VM_EXTRA (host files to add to the initramfs, separated by
# blanks: SRC at the same path, or SRC=DST; for binaries, list their
# libraries too). Both go in a second cpio appended to mkinitramfs.sh's: the
# kernel unpacks concatenated archives in turn, later files replacing earlier.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ko=${CAMFENCE_KO:-$top/build/kmod/camfence.ko}
ctl=${CAMFENCECTL:-$top/build/camfencectl}
qemu=${QEMU:-qemu-system-x86_64}
timeout=${VM_TIMEOUT:-900}
mem=${VM_MEM:-512}

die() {
	echo "vm: $*" >&2
	echo "vm: 0 passed, 1 failed"
	exit 1
}

[ -f "$ko" ] || die "$ko not found: make kmod"
[ -x "$ctl" ] || die "$ctl not found: make, or set CAMFENCECTL"
command -v "$qemu" >/dev/null || die "$qemu not found: install qemu-system-x86"

kver=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
[ -n "$kver" ] || die "no vermagic in $ko"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "$kernel not found or not readable: install linux-image-$kver (module built for $kver)"

tmp=$(mktemp -d)
vm=
cleanup() {
	[ -z "$vm" ] || kill "$vm" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Count the VM's results, add the host's own failure if any ($1), print the
# summary. Returns non-zero when anything failed.
report() {
	local passed failed host_fail=$1

	[ -z "${VM_LOG:-}" ] || cp "$tmp/console" "$VM_LOG"
	passed=$(grep -c '^vmtest: PASS' "$tmp/console" || true)
	failed=$(grep -c '^vmtest: FAIL' "$tmp/console" || true)
	if [ -n "$host_fail" ]; then
		echo "FAIL $host_fail"
		failed=$((failed + 1))
	fi
	if ! grep -q '^vmtest: END$' "$tmp/console"; then
		echo "FAIL VM did not reach the end of the tests"
		failed=$((failed + 1))
	elif [ "$passed" -eq 0 ]; then
		echo "FAIL VM ran no test"
		failed=$((failed + 1))
	fi
	if [ "$failed" -ne 0 ]; then
		echo "vm: last lines of the console:" >&2
		tail -n 40 "$tmp/console" | sed 's/^/  | /' >&2
		# the kernel's first complaint with its stack, which the tail
		# may have scrolled past
		if grep -q '\] \(BUG\|WARNING\|Oops\|watchdog\):' "$tmp/console"; then
			echo "vm: the kernel's first complaint:" >&2
			sed -n '/\] \(BUG\|WARNING\|Oops\|watchdog\):/,$p' "$tmp/console" |
				head -n 60 | sed 's/^/  | /' >&2
		fi
	fi
	echo "vm: ran in $((SECONDS - start))s"
	echo "vm: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

"$here/mkinitramfs.sh" "$tmp/initrd.gz" "$kver" "$ko" "$ctl" ||
	die "could not build the initramfs"

# The second archive, only when asked for: the default initramfs is exactly
# mkinitramfs.sh's.
if [ -n "${VM_SCRIPT:-}${VM_EXTRA:-}" ]; then
	mkdir "$tmp/extra"
	if [ -n "${VM_SCRIPT:-}" ]; then
		[ -f "$VM_SCRIPT" ] || die "VM_SCRIPT $VM_SCRIPT not found"
		install -m 0755 "$VM_SCRIPT" "$tmp/extra/tests.sh"
	fi
	for spec in ${VM_EXTRA:-}; do
		src=${spec%%=*} dst=${spec#*=}
		[ -e "$src" ] || die "VM_EXTRA: $src not found"
		mkdir -p "$tmp/extra$(dirname "$dst")"
		cp -L "$src" "$tmp/extra$dst"
	done
	(cd "$tmp/extra" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -1 >>"$tmp/initrd.gz" ||
		die "could not append VM_SCRIPT and VM_EXTRA to the initramfs"
fi
qemu_cpus=(-smp "${VM_SMP:-2}")

echo "vm: booting $kernel (timeout ${timeout}s)"
start=$SECONDS
# Both exist before tail and report look for them.
: >"$tmp/raw"
: >"$tmp/console"
trap 'report interrupted; exit 1' HUP INT TERM
# loglevel=5: warnings and the stack traces under a lockup or BUG report
# (printed at the default level) reach the console, and so the log of a
# failed run; notices and info stay out.
# In the background so an interrupted run can stop it (timeout passes our
# SIGTERM on to QEMU); the console is followed while it grows.
timeout "$timeout" "$qemu" -accel tcg -m "$mem" "${qemu_cpus[@]}" -nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 panic=-1 loglevel=5" </dev/null >"$tmp/raw" 2>&1 &
vm=$!
tail -n +1 -s 0.2 -f --pid="$vm" "$tmp/raw" |
	sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$tmp/console" |
	sed -un 's/^vmtest: \(PASS\|FAIL\|#\)/\1/p' &
follow=$!
# wait, unlike a foreground pipeline, lets the traps run at once.
status=0
wait "$vm" || status=$?
vm=
wait "$follow" || true

case $status in
0)	report "" ;;
124)	report "VM timed out after ${timeout}s" ;;
*)	report "$qemu exited with status $status" ;;
esac
