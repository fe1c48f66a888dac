#!/usr/bin/env bash
# Shared sandbox of the netns tests and the demo.
#
#   camera ns            router ns                          internet ns
#  +-----------+        +-------------------------+        +-------------------+
#  | cam0      |--veth--| lan0 [XDP camfence_xdp] |        |                   |
#  | .10.204   |        | 192.168.10.1/24         |        |                   |
#  +-----------+        |                   wan0  |--veth--| inet0             |
#                       |       198.51.100.1/24   |        | 198.51.100.2/24   |
#  +-----------+        | nvr0                    |        | + 203.0.113.x,    |
#  | eth0      |--veth--| 192.168.20.1/24         |        |   192.0.2.x hosts |
#  | .20.10    |        +-------------------------+        +-------------------+
#  +-----------+
#    NVR ns
#
# Everything lives in namespaces made here and is removed by sandbox_down,
# which callers run from an EXIT trap. The router's only route out leads into
# the internet namespace; nothing reaches the host's interfaces.

# policy files the tests write must be root's alone, or camfenced refuses them
umask 022

CF_ROOT=${CF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CF_BUILD=${CF_BUILD:-$CF_ROOT/build}
CAMFENCED=${CAMFENCED:-$CF_BUILD/camfenced}
CAMFENCECTL=${CAMFENCECTL:-$CF_BUILD/camfencectl}
CAMGEN=${CAMGEN:-$CF_BUILD/camgen}

CF_TAG=${CF_TAG:-cf$$}
NS_CAM=$CF_TAG-cam
NS_NVR=$CF_TAG-nvr
NS_RTR=$CF_TAG-rtr
NS_INET=$CF_TAG-inet
# camera_is MAC IPV4: the camera's identity; its LAN is the /24 around it,
# where the router takes .1 (or .254 when the camera has .1)
camera_is() {
	CAM_MAC=$1
	CAM_IP=$2
	LAN_NET=${CAM_IP%.*}
	RTR_LAN_IP=$LAN_NET.1
	[ "$CAM_IP" != "$RTR_LAN_IP" ] || RTR_LAN_IP=$LAN_NET.254
}
camera_is b0:d5:9d:b9:f0:b4 192.168.10.204
NVR_IP=192.168.20.10
NTP_IP=203.0.113.123
DNS_IP=192.0.2.53
CLOUD_IPS=(203.0.113.10 198.51.100.77 192.0.2.80)

cam() { ip netns exec "$NS_CAM" "$@"; }
nvr() { ip netns exec "$NS_NVR" "$@"; }
rtr() { ip netns exec "$NS_RTR" "$@"; }
inet() { ip netns exec "$NS_INET" "$@"; }

sandbox_up() {
	CF_DIR=$(mktemp -d "/tmp/camfence-$CF_TAG.XXXXXX")
	# the test's own BPF filesystem: camfenced pins its program and maps
	# there, as it would under /sys/fs/bpf on a router
	mkdir "$CF_DIR/bpffs"
	mount -t bpf camfence-bpffs "$CF_DIR/bpffs"
	local ns
	for ns in "$NS_CAM" "$NS_NVR" "$NS_RTR" "$NS_INET"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	camera_link_up
	ip -n "$NS_NVR" link add eth0 type veth peer name nvr0 netns "$NS_RTR"
	ip -n "$NS_INET" link add inet0 type veth peer name wan0 netns "$NS_RTR"

	ip -n "$NS_NVR" addr add "$NVR_IP/24" dev eth0
	ip -n "$NS_NVR" link set eth0 up
	ip -n "$NS_NVR" route add default via 192.168.20.1

	ip -n "$NS_RTR" addr add 192.168.20.1/24 dev nvr0
	ip -n "$NS_RTR" addr add 198.51.100.1/24 dev wan0
	local l
	for l in nvr0 wan0; do ip -n "$NS_RTR" link set "$l" up; done
	ip -n "$NS_RTR" route add default via 198.51.100.2
	rtr sysctl -qw net.ipv4.ip_forward=1
	# replayed captures carry their own addresses: no reverse-path filter
	rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.lan0.rp_filter=0

	ip -n "$NS_INET" addr add 198.51.100.2/24 dev inet0
	ip -n "$NS_INET" link set inet0 up
	ip -n "$NS_INET" route add "$LAN_NET.0/24" via 198.51.100.1
	ip -n "$NS_INET" route add 192.168.20.0/24 via 198.51.100.1
	for l in "$NTP_IP" "$DNS_IP" "${CLOUD_IPS[@]}"; do
		ip -n "$NS_INET" addr add "$l/32" dev lo
	done
}

# The camera's cable: cam0 in the camera namespace, lan0 on the router,
# both addressed and up. t_relink.sh pulls it out and plugs it in again.
camera_link_up() {
	ip -n "$NS_CAM" link add cam0 type veth peer name lan0 netns "$NS_RTR"
	ip -n "$NS_CAM" link set cam0 address "$CAM_MAC"
	ip -n "$NS_CAM" addr add "$CAM_IP/24" dev cam0
	ip -n "$NS_CAM" link set cam0 up
	ip -n "$NS_CAM" route add default via "$RTR_LAN_IP"
	ip -n "$NS_RTR" addr add "$RTR_LAN_IP/24" dev lan0
	ip -n "$NS_RTR" link set lan0 up
}

sandbox_down() {
	local pidf ns
	for pidf in "${CF_DIR:-/nonexistent}"/*.pid; do
		[ -f "$pidf" ] || continue
		kill "$(cat "$pidf")" 2>/dev/null || true
	done
	sleep 0.2
	for pidf in "${CF_DIR:-/nonexistent}"/*.pid; do
		[ -f "$pidf" ] || continue
		kill -9 "$(cat "$pidf")" 2>/dev/null || true
	done
	for ns in "$NS_CAM" "$NS_NVR" "$NS_RTR" "$NS_INET"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ -n "${CF_DIR:-}" ]; then
		umount -l "$CF_DIR/bpffs" 2>/dev/null || true
		rm -rf "$CF_DIR"
	fi
	return 0
}

# A real rsyslogd of the test's own: its own config, socket and output file.
syslog_up() {
	cat >"$CF_DIR/rsyslog.conf" <<CONF
global(workDirectory="$CF_DIR")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$CF_DIR/log.sock" RateLimit.Interval="0")
template(name="camfence" type="string" string="%timegenerated:::date-rfc3339% %syslogtag%%msg%\n")
daemon.* action(type="omfile" file="$CF_DIR/messages" template="camfence")
CONF
	rsyslogd -n -f "$CF_DIR/rsyslog.conf" -i "$CF_DIR/rsyslogd.pid" >"$CF_DIR/rsyslogd.out" 2>&1 &
	wait_for 5 test -S "$CF_DIR/log.sock"
}

# Run a command whose syslog(3) goes to the test's rsyslogd: a private
# mount namespace where /dev/log is the test's socket and the rest of /dev
# is the host's. Replaces the calling shell.
with_devlog() {
	exec unshare --mount --propagation private bash -c '
		set -e
		dir=$1; shift
		mkdir -p "$dir/hostdev"
		mount --rbind /dev "$dir/hostdev"
		mount -t tmpfs -o mode=0755 camfence-dev /dev
		for n in null zero full random urandom tty; do
			touch "/dev/$n"
			mount --bind "$dir/hostdev/$n" "/dev/$n"
		done
		ln -s "$dir/log.sock" /dev/log
		umount -l "$dir/hostdev"
		exec "$@"' camfence-devlog "$CF_DIR" "$@"
}

# write_policy FILE: cameras may reach their LAN, the NVR subnet and one NTP
# server, nothing else.
write_policy() {
	cat >"$1" <<CONF
zone cameras {
	interface lan0
	unknown deny
}

group cams {
	mac $CAM_MAC
	policy lan-only
}

policy lan-only {
	allow to 192.168.20.0/24
	allow to $LAN_NET.0/24
	allow to $NTP_IP udp 123
	default deny
}
CONF
}

# The options every camfenced of a test runs with: its socket, pid file,
# pins and learning state inside the test's directory.
daemon_args() {
	echo "-s $CF_DIR/ctl.sock --pidfile $CF_DIR/camfenced.run --pin-dir $CF_DIR/bpffs/camfence --state-dir $CF_DIR/state"
}

# daemon_up CONF [OPTION...]
daemon_up() {
	local conf=$1
	shift
	# ip netns exec, setsid, bash, unshare and bash exec each other, so $! is
	# camfenced; its own session keeps a Ctrl-C of the caller away from it
	setsid ip netns exec "$NS_RTR" bash -c "$(declare -f with_devlog); CF_DIR='$CF_DIR'; with_devlog '$CAMFENCED' -f -c '$conf' $(daemon_args) $*" \
		>>"$CF_DIR/camfenced.out" 2>&1 &
	echo $! >"$CF_DIR/camfenced.pid"
	wait_for 10 test -S "$CF_DIR/ctl.sock" || {
		echo "camfenced did not start:" >&2
		cat "$CF_DIR/camfenced.out" >&2
		return 1
	}
}

ctl() { rtr "$CAMFENCECTL" -s "$CF_DIR/ctl.sock" "$@"; }

# sink_up NS IFACE NAME: count what arrives on IFACE into $CF_DIR/NAME.sink
sink_up() {
	local out="$CF_DIR/$3.sink"
	ip netns exec "$1" "$CAMGEN" sink --iface "$2" --out "$out" >"$CF_DIR/$3.ready" 2>&1 &
	echo $! >"$CF_DIR/sink-$3.pid"
	wait_for 5 grep -q 'sink: ready' "$CF_DIR/$3.ready"
}

sink_down() {
	local pidf="$CF_DIR/sink-$1.pid"
	kill -TERM "$(cat "$pidf")" 2>/dev/null || true
	wait_for 5 test -f "$CF_DIR/$1.sink"
	rm -f "$pidf"
}

# sink_count NAME PROTO DST [PORT]: packets the sink counted
sink_count() {
	awk -v p="$2" -v d="$3" -v port="${4:-}" \
		'$1 == p && $2 == d && (port == "" || $3 == port) { n += $4 } END { print n + 0 }' \
		"$CF_DIR/$1.sink"
}

wait_for() {
	local tries=$(($1 * 10))
	shift
	while ! "$@" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# Test reporting: each check prints one PASS or FAIL line.
CF_FAILED=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; CF_FAILED=$((CF_FAILED + 1)); }
quiet() { "$@" >/dev/null; }
fails() { ! "$@"; }
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
