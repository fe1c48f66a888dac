#!/bin/bash
# Print the kernel build directory for `make kmod`.
#
# The running kernel's own /lib/modules/$(uname -r)/build comes first. Build
# machines often run a kernel that has none (or cannot load modules at all),
# so the fallback is the newest Debian kernel whose headers are installed:
# /usr/src/linux-headers-<version>-<flavour>, or /lib/modules/<version>/build
# for a kernel whose vmlinuz is in /boot. The flavour is the Debian
# architecture (amd64, arm64...), DEB_FLAVOUR overrides it.
set -euo pipefail

running=$(uname -r)
if [ -d "/lib/modules/$running/build" ]; then
	echo "/lib/modules/$running/build"
	exit 0
fi

flavour=${DEB_FLAVOUR:-$(dpkg --print-architecture 2>/dev/null || echo amd64)}

candidates() {
	local d v
	for d in /usr/src/linux-headers-*-"$flavour"; do
		[ -f "$d/Makefile" ] || continue
		echo "${d#/usr/src/linux-headers-}"
	done
	for d in /lib/modules/*/build; do
		[ -f "$d/Makefile" ] || continue
		v=${d#/lib/modules/}
		v=${v%/build}
		[ -f "/boot/vmlinuz-$v" ] && echo "$v"
	done
	return 0
}

version=$(candidates | sort -uV | tail -n 1)
if [ -z "$version" ]; then
	echo "kdir: /lib/modules/$running/build not found and no Debian headers" \
		"(linux-headers-$flavour) installed; install them or set KDIR" >&2
	exit 1
fi

echo "kdir: /lib/modules/$running/build not found; using Debian headers for $version" >&2
if [ -f "/lib/modules/$version/build/Makefile" ]; then
	echo "/lib/modules/$version/build"
else
	echo "/usr/src/linux-headers-$version"
fi
