#!/usr/bin/env bash
# Evasion: a managed camera tries every shape of packet that could get it
# past the classifier, from raw frames on its own cable (camgen frame) and
# from its own sockets. For each attempt: nothing gets past XDP on lan0 (a
# sink there sees only what the program passed), nothing reaches the
# internet (a sink on inet0), the drop is counted in the flow view, and an
# alert names it in syslog. docs/SECURITY.md lists the cases.
#
#   camera ns                router ns                          internet ns
#  +---------------+        +---------------------------+        +------------------------+
#  | cam0          |--veth--| lan0 [XDP] sink "past"    |        |                        |
#  | .10.204       |        | 192.168.10.1/24           |        |                        |
#  | 2001:db8:10:: |        | 2001:db8:10::1/64         |  wan0  |  inet0  sink "inet"    |
#  |   204/64      |        | fd00:10::1/64             |--veth--| 198.51.100.2/24        |
#  | fd00:10::204  |        |                           |        | 2001:db8:100::2/64     |
#  +---------------+        | nvr0 (zone office)        |        | lo: 1.1.1.1, 8.8.8.8,  |
#                           +---------------------------+        |   2606:4700:4700::1111 |
#                                                                +------------------------+
#
# 1.1.1.1, 8.8.8.8 and 2606:4700:4700::1111 are the sandbox's own: they
# exist only on the internet namespace's loopback, as public resolvers seen
# from the camera. Every other outside address is a documentation one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up

CAM6=2001:db8:10::204
CAM_ULA=fd00:10::204
RTR6=2001:db8:10::1
LAPTOP_MAC=02:00:00:00:20:50
LAPTOP_IP=192.168.20.50
INSTALLER_MAC=02:00:00:00:10:77
INSTALLER_IP=192.168.10.77
HIKVISION_MAC=44:19:b6:00:00:42	# another camera vendor's block
APPLE_MAC=00:03:93:12:34:56	# a vendor in no group
RANDOM_MAC=06:5e:1f:3a:c4:9b	# locally administered, random

rtr sysctl -qw net.ipv6.conf.all.forwarding=1
# the worst case: a router that follows source routes and segment routing
rtr sysctl -qw net.ipv4.conf.all.accept_source_route=1 net.ipv4.conf.lan0.accept_source_route=1 \
	net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.lan0.seg6_enabled=1
ip -n "$NS_RTR" addr add "$RTR6/64" dev lan0 nodad
ip -n "$NS_RTR" addr add fd00:10::1/64 dev lan0 nodad
ip -n "$NS_RTR" addr add 2001:db8:100::1/64 dev wan0 nodad
ip -n "$NS_RTR" -6 route add default via 2001:db8:100::2
ip -n "$NS_INET" addr add 2001:db8:100::2/64 dev inet0 nodad
ip -n "$NS_INET" -6 route add 2001:db8:10::/64 via 2001:db8:100::1
ip -n "$NS_INET" -6 route add fd00:10::/64 via 2001:db8:100::1
for a in 1.1.1.1/32 8.8.8.8/32 2606:4700:4700::1111/128; do
	ip -n "$NS_INET" addr add "$a" dev lo
done
ip -n "$NS_CAM" addr add "$CAM6/64" dev cam0 nodad
ip -n "$NS_CAM" addr add "$CAM_ULA/64" dev cam0 nodad
ip -n "$NS_CAM" -6 route add default via "$RTR6"

RTR_MAC=$(rtr cat /sys/class/net/lan0/address)
RTR_LL=fe80::1
ip -n "$NS_RTR" addr add "$RTR_LL/64" dev lan0 nodad
CAM_LL=fe80::b2d5:9dff:feb9:f0b4

conf=$CF_DIR/camfence.conf
cat >"$conf" <<CONF
zone cameras {
	interface lan0
	unknown deny
}

zone office {
	interface nvr0
	unknown allow
}

device nvr1 ip $NVR_IP

group cams {
	vendor hikvision
	mac $CAM_MAC
	zone cameras
	policy cameras
}

# a technician's laptop that is allowed out, on the office LAN only
group laptop {
	mac $LAPTOP_MAC
	ip $LAPTOP_IP
	zone office
	policy laptop
}

# a device in the camera zone itself with a looser policy: what a camera
# that takes over its MAC and address gets
group installer {
	mac $INSTALLER_MAC
	zone cameras
	policy laptop
}

policy cameras {
	allow to nvr1 tcp 554
	allow to nvr1 udp 5000-5100
	allow to router udp 53,123
	default deny log
}

policy laptop {
	deny tunnel
	allow to any tcp 443
	default deny log
}
CONF
check "the policy checks" quiet "$CAMFENCECTL" check "$conf"
daemon_up "$conf" --alert-rate 1000/minute --alert-total 5000/minute
sink_up "$NS_RTR" lan0 past
sink_up "$NS_INET" inet0 inet

# frame ARGS...: one crafted frame from the camera's cable to the router
frame() { cam "$CAMGEN" frame --iface cam0 --dmac "$RTR_MAC" "$@" >/dev/null; }
v4() { frame --src "$CAM_IP" "$@"; }
v6() { frame --src "$CAM6" "$@"; }

# ---- the attempts; each goes to an address of its own ---------------------
# layer 2
v4 --vlan 100 --dst 203.0.113.1 --dport 32100
v4 --vlan 200 --vlan 100 --dst 203.0.113.2 --dport 32100
v4 --vlan 0 --dst 203.0.113.3 --dport 32100			# priority tag only
# IPv6
v6 --dst 2001:db8:ff::1 --dport 32100
frame --src "$CAM_ULA" --dst 2001:db8:ff::2 --dport 32100
frame --src "$CAM_LL" --dst "$RTR_LL" --proto tcp --dport 22
frame --src "$CAM_LL" --dst "$RTR_LL" --dport 53			# DNS to the router: allowed
v6 --ext hop,dst,rt0 --dst 2001:db8:ff::3 --dport 32100
v6 --ext hop,dst,dst,dst,dst,dst --dst 2001:db8:ff::4 --dport 32100
v6 --srh 2001:db8:ff::5 --dst "$RTR6" --dport 53			# segment routing via the router
# fragments
v4 --proto tcp --dport 443 --dst 203.0.113.10 --id 10 --frag 0:8 --frag 1:12:last  # tiny first
v6 --proto tcp --dport 443 --dst 2001:db8:ff::10 --id 11 --frag 0:8 --frag 1:12:last
v4 --dst 203.0.113.11 --dport 32100 --size 40 --id 12 --frag 3:24:last --frag 0:24	# out of order
v4 --dst "$NVR_IP" --dport 5004 --size 40 --id 13 --frag 0:24			# allowed start,
v4 --dst "$NVR_IP" --dport 2323 --size 40 --id 13 --frag 0:24			# overlapped
v4 --dst "$NVR_IP" --dport 5004 --size 40 --id 13 --frag 3:24:last		# its tail
# IPv4 options
v4 --record-route --dst 203.0.113.20 --dport 32100
v4 --lsrr 203.0.113.21 --dst "$RTR_LAN_IP" --dport 123		# source routed via the router
v4 --ssrr 203.0.113.22 --dst "$NVR_IP" --dport 5050		# ... via the NVR
# tunnels
v4 --encap gre --inner-src 10.99.0.2 --inner-dst 192.0.2.30 --dst 203.0.113.30 --dport 32100
v4 --encap ipip --inner-src 10.99.0.2 --inner-dst 192.0.2.31 --dst 203.0.113.31 --dport 32100
v4 --encap sit --inner-src 2001:db8:99::2 --inner-dst 2001:db8:ff::32 --dst 203.0.113.32 --dport 32100
v4 --encap vxlan --inner-src 10.99.0.2 --inner-dst 192.0.2.33 --dst 203.0.113.33
v4 --proto udp --dport 51820 --dst 203.0.113.34			# WireGuard
# spoofed source, changed MAC
frame --src 192.168.10.99 --dst 203.0.113.40 --dport 32100		# an unmanaged device's address
frame --smac "$HIKVISION_MAC" --src 192.168.10.205 --dst 203.0.113.41 --dport 32100
frame --smac "$APPLE_MAC" --src 192.168.10.206 --dst 203.0.113.42 --dport 32100
frame --smac "$RANDOM_MAC" --src 192.168.10.207 --dst 203.0.113.43 --dport 32100
frame --smac "$LAPTOP_MAC" --src "$LAPTOP_IP" --dst 203.0.113.44 --proto tcp --dport 443
frame --smac "$INSTALLER_MAC" --src "$INSTALLER_IP" --dst 203.0.113.45 --proto tcp --dport 443
# broadcast and multicast
v4 --dst 255.255.255.255 --dport 9999
v4 --dst 192.168.10.255 --dport 9998
v4 --dst 192.168.20.255 --dport 9997
v4 --dst 239.255.255.250 --dport 1900
v6 --dst ff02::fb --dport 5353
v6 --dst ff05::c --dport 1900
# what the essentials let through unless they are kept on the link
v4 --sport 68 --dport 67 --dst 203.0.113.67
v6 --sport 546 --dport 547 --dst 2001:db8:ff::547
v6 --proto icmpv6 --icmp-type 135 --hop-limit 255 --size 200 --dst 2001:db8:ff::135
v6 --proto icmpv6 --icmp-type 143 --size 200 --dst 2001:db8:ff::143
# ICMP tunnels
v4 --proto icmp --size 200 --dst 203.0.113.50 --count 3
v6 --proto icmpv6 --size 200 --dst 2001:db8:ff::50 --count 3
# DNS to outside resolvers, DNS over HTTPS and TLS, from the camera's sockets
cam "$CAMGEN" udp --dst 8.8.8.8 --port 53 --count 2 --interval-ms 1 >/dev/null
cam "$CAMGEN" tcp --dst 1.1.1.1 --port 443 --timeout-ms 300 >/dev/null || true
cam "$CAMGEN" tcp --dst 1.1.1.1 --port 853 --timeout-ms 300 >/dev/null || true
cam "$CAMGEN" tcp --dst 2606:4700:4700::1111 --port 443 --timeout-ms 300 >/dev/null || true
cam "$CAMGEN" udp --dst "$RTR_LAN_IP" --port 53 --count 2 --interval-ms 1 >/dev/null
sleep 1.5
sink_down past
sink_down inet

# ---- checks ----------------------------------------------------------------
esc() { sed 's/[.[]/\\&/g' <<<"$1"; }
# alerted DST: an alert line in syslog for a blocked packet to DST
alerted() { grep -Eq "camfenced\[[0-9]+\]: blocked [a-z0-9]+ [^ ]+ -> \[?$(esc "$1")\]?[: ]" "$CF_DIR/messages"; }
# events are read in order: once the last attempt is alerted, all are; one
# more tick of the daemon's timer and the flow view has read the flow table
wait_for 10 alerted 2606:4700:4700::1111 || true
sleep 1.1
ctl --json flows >"$CF_DIR/flows.json"
status_json=$(ctl --json status)

# the flow view's blocked flows as "DST PORT PACKETS" lines, the status's
# counters as "KEY VALUE": python3 reads the JSON once
python3 - "$CF_DIR/flows.json" >"$CF_DIR/dropped.txt" <<'PY'
import json, sys
def walk(o):
    if isinstance(o, dict):
        if o.get("verdict") == "blocked" and "destination" in o:
            print(o["destination"], o.get("port", 0), o.get("packets", 0))
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(sys.argv[1])))
PY
python3 -c 'import json,sys; [print(k, v) for k, v in json.load(sys.stdin)["xdp"].items()]' \
	<<<"$status_json" >"$CF_DIR/xdp.txt"
# dropped DST [PORT]: packets the flow view counts blocked towards DST
dropped() {
	awk -v d="$1" -v port="${2:-}" '$1 == d && (port == "" || $2 == port) { n += $3 } END { print n + 0 }' \
		"$CF_DIR/dropped.txt"
}
# xdp KEY: a counter of the XDP program from camfencectl status
xdp() { awk -v k="$1" '$1 == k { print $2 }' "$CF_DIR/xdp.txt"; }
got() { echo $(( $(sink_count "$1" "$2" "$3" ${4:+"$4"}) )); }

# blocked WHAT PROTO DST [PORT]: the four checks of one attempt
blocked() {
	local what=$1 proto=$2 dst=$3 port=${4:-}
	check "$what: nothing gets past XDP" test "$(got past "$proto" "$dst" $port)" -eq 0
	check "$what: nothing reaches the internet" test "$(got inet "$proto" "$dst" $port)" -eq 0
	check "$what: counted as dropped" test "$(dropped "$dst" $port)" -ge 1
	check "$what: alerted" alerted "$dst"
}

blocked "802.1Q tag" udp 203.0.113.1 32100
blocked "QinQ tags" udp 203.0.113.2 32100
blocked "priority tag (VLAN 0)" udp 203.0.113.3 32100
blocked "IPv6 from the global address" udp 2001:db8:ff::1 32100
blocked "IPv6 from a ULA" udp 2001:db8:ff::2 32100
blocked "IPv6 link-local to the router's SSH" tcp "$RTR_LL" 22
check "IPv6 link-local DNS to the router: passed by policy" test "$(got past udp "$RTR_LL" 53)" -eq 1
blocked "IPv6 behind hop-by-hop, destination and routing headers" udp 2001:db8:ff::3 32100
check "IPv6 chain of six extension headers: nothing gets past XDP" \
	test "$(got past udp 2001:db8:ff::4)" -eq 0
check "IPv6 chain of six extension headers: nothing reaches the internet" \
	test "$(got inet udp 2001:db8:ff::4)" -eq 0
check "IPv6 chain of six extension headers: counted as dropped" test "$(dropped 2001:db8:ff::4)" -ge 1
check "IPv6 chain of six extension headers: alerted" alerted 2001:db8:ff::4
check "IPv6 segment routing through the router: nothing gets past XDP" \
	test "$(got past udp "$RTR6" 53)" -eq 0
check "IPv6 segment routing through the router: nothing reaches its last segment" \
	test "$(got inet udp 2001:db8:ff::5)" -eq 0
check "IPv6 segment routing through the router: counted as dropped" test "$(dropped "$RTR6")" -ge 1
check "IPv6 segment routing through the router: alerted as malformed" \
	grep -q -- "-> $RTR6 .* by malformed headers" "$CF_DIR/messages"
blocked "tiny first IPv4 fragment" tcp 203.0.113.10
blocked "tiny first IPv6 fragment" tcp 2001:db8:ff::10
blocked "IPv4 fragments out of order" udp 203.0.113.11
check "overlapping fragments: the allowed start passes" test "$(got past udp "$NVR_IP" 5004)" -eq 1
check "overlapping fragments: the overlap that changes the port is dropped" \
	test "$(got past udp "$NVR_IP" 2323)" -eq 0
check "overlapping fragments: the tail to a port-only destination is dropped" \
	test "$(got past udp "$NVR_IP" 0)" -eq 0
check "overlapping fragments: alerted" grep -q -- "-> $NVR_IP:2323 " "$CF_DIR/messages"
blocked "IPv4 with a record-route option" udp 203.0.113.20 32100
blocked "IPv4 loose source route through the router" udp "$RTR_LAN_IP" 123
check "IPv4 loose source route: nothing reaches its last hop" test "$(got inet udp 203.0.113.21)" -eq 0
blocked "IPv4 strict source route through the NVR" udp "$NVR_IP" 5050
check "IPv4 strict source route: nothing reaches its last hop" test "$(got inet udp 203.0.113.22)" -eq 0
check "source routes: alerted as malformed" \
	grep -q -- "-> $RTR_LAN_IP:123 .* by malformed headers" "$CF_DIR/messages"
check "malformed headers: counted by XDP" test "$(xdp malformed)" -ge 6
blocked "GRE" gre 203.0.113.30
blocked "IP in IP" 4 203.0.113.31
blocked "IPv6 in IPv4" 41 203.0.113.32
blocked "VXLAN" udp 203.0.113.33 4789
blocked "WireGuard" udp 203.0.113.34 51820
blocked "an unmanaged device's source address" udp 203.0.113.40 32100
blocked "MAC of another camera vendor" udp 203.0.113.41 32100
blocked "MAC of a vendor in no group" udp 203.0.113.42 32100
blocked "random MAC" udp 203.0.113.43 32100
blocked "MAC and address of the office laptop" tcp 203.0.113.44 443
check "MAC and address of a looser device in the camera zone: passed (cannot be stopped here)" \
	test "$(got inet tcp 203.0.113.45 443)" -eq 1
blocked "limited broadcast" udp 255.255.255.255 9999
blocked "subnet broadcast" udp 192.168.10.255 9998
blocked "directed broadcast to the NVR's LAN" udp 192.168.20.255 9997
blocked "SSDP multicast" udp 239.255.255.250 1900
blocked "mDNS over IPv6" udp ff02::fb 5353
blocked "site-local IPv6 multicast" udp ff05::c 1900
blocked "DHCP-shaped UDP to the internet" udp 203.0.113.67 67
blocked "DHCPv6-shaped UDP to the internet" udp 2001:db8:ff::547 547
blocked "neighbour-solicitation-shaped ICMPv6 to the internet" icmpv6 2001:db8:ff::135
blocked "listener-report-shaped ICMPv6 to the internet" icmpv6 2001:db8:ff::143
blocked "ICMP echo tunnel" icmp 203.0.113.50
blocked "ICMPv6 echo tunnel" icmpv6 2001:db8:ff::50
blocked "DNS to an outside resolver" udp 8.8.8.8 53
blocked "DNS over HTTPS to a public resolver" tcp 1.1.1.1 443
blocked "DNS over TLS to a public resolver" tcp 1.1.1.1 853
blocked "DNS over HTTPS to a public resolver over IPv6" tcp 2606:4700:4700::1111 443
check "DNS to the router: passed by policy" test "$(got past udp "$RTR_LAN_IP" 53)" -eq 2
check "DNS to the router: not alerted" fails grep -q -- "-> $RTR_LAN_IP:53 " "$CF_DIR/messages"

check "the camera's own neighbour discovery still passes" \
	bash -c "awk '\$1 == \"icmpv6\" && \$2 ~ /^ff02::/' '$CF_DIR/past.sink' | grep -q ."
# one for every frame above that the policy does not pass
check "status counts the drops" test "$(xdp dropped_packets)" -ge 51

exit "$CF_FAILED"
