#!/usr/bin/env bash
# Install the Debian packages camfence needs to build, test and run its demo.
# Idempotent: when every package is present it only checks and returns.
set -euo pipefail

packages=(
	# build
	make gcc libc6-dev pkg-config clang llvm bpftool libbpf-dev libelf-dev
	zlib1g-dev libnl-3-dev libnl-genl-3-dev libmnl-dev libpcap-dev check
	# the daemon: hash tables for its flow view, JSON for camfencectl --json
	# and MUD files, an asynchronous resolver for the names sets carry, a
	# DNS message parser for the answers devices receive (name rules)
	uthash-dev libjson-c-dev libc-ares-dev libldns-dev
	# the vendor registry that `vendor NAME` in a policy reads
	ieee-data
	# the fuzz layer: libFuzzer and the sanitizers' runtime
	libclang-rt-14-dev
	# make bench measures xdp-filter's own program beside camfence's
	libxdp1
	# kernel module and the VM test layer
	linux-headers-amd64 linux-image-amd64 qemu-system-x86 busybox-static
	cpio gzip kmod
	# network namespace tests and the demo
	iproute2 procps rsyslog util-linux socat
	# make bench's forwarding figures: netfilter's droppers beside XDP, veth
	# GRO, the allowed camera's stream
	nftables iptables ipset ethtool iperf3
	# the netns tests read camfencectl --json back; a DNS server answers
	# names in them
	python3 dnsmasq-base
	# the metrics test parses camfence's exposition with Prometheus's parser
	python3-prometheus-client
	# man page lint and rendering, Debian packages (make check's install layer)
	mandoc man-db debhelper dh-dkms fakeroot dpkg-dev
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or install them with apt-get) and try again" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
