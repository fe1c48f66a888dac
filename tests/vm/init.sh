#!/bin/sh
# /init of the test VM: mount the basics, run /tests.sh, power off.
# Runs under busybox sh; /tests.sh prints "vmtest: END" once it got through.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /var
ln -s /run /var/run

# Keep kernel messages off the console so they cannot split the lines the
# host parses; the tests read them back with dmesg.
echo 1 >/proc/sys/kernel/printk
# The firmware and the kernel leave the cursor mid-line: start afresh.
echo

/bin/sh /tests.sh 2>&1

poweroff -f
