#!/bin/sh
# Sourced inside the test VM as /vmlib.sh (mkinitramfs.sh puts it there) by
# /tests.sh, whether that is tests.sh or a VM_SCRIPT such as
# bench/kmod_vm.sh: how a script reports to tests/vm/run.sh, and loading
# modules. Busybox sh: no bash.

IP=/usr/sbin/ip

pass() { echo "vmtest: PASS $*"; }
fail() { echo "vmtest: FAIL $*"; }
info() { echo "$*" | sed 's/^/vmtest: # /'; }
n() { "$IP" netns exec "$@"; }

# load_modules FILE...: insmod each of /lib/modules. A driver for hardware
# this machine lacks (crc32c-intel without SSE4.2 under TCG) refuses with
# ENODEV: modprobe goes on after such a soft dependency, and so do we.
load_modules() {
	for m in "$@"; do
		out=$(insmod "/lib/modules/$m" 2>&1) && continue
		case $out in
		*"No such device"*) continue ;;
		esac
		echo "$m: $out"
		return 1
	done
}
