#!/usr/bin/env bash
# The policy language end to end: a vendor match, an include, named sets, a
# port list and range, IPv6 destinations and an IPv6 source prefix, through
# the router with real traffic.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up

# IPv6 beside IPv4: the camera's LAN, the NVR's, the internet's
ip -n "$NS_CAM" addr add 2001:db8:10::204/64 dev cam0 nodad
ip -n "$NS_CAM" route add default via 2001:db8:10::1
ip -n "$NS_NVR" addr add 2001:db8:20::10/64 dev eth0 nodad
ip -n "$NS_NVR" route add default via 2001:db8:20::1
ip -n "$NS_RTR" addr add 2001:db8:10::1/64 dev lan0 nodad
ip -n "$NS_RTR" addr add 2001:db8:20::1/64 dev nvr0 nodad
ip -n "$NS_RTR" addr add 2001:db8:100::1/64 dev wan0 nodad
ip -n "$NS_RTR" route add default via 2001:db8:100::2
rtr sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$NS_INET" addr add 2001:db8:100::2/64 dev inet0 nodad
ip -n "$NS_INET" addr add 2001:db8:ff::10/128 dev lo
ip -n "$NS_INET" route add 2001:db8:10::/64 via 2001:db8:100::1
ip -n "$NS_INET" route add 2001:db8:20::/64 via 2001:db8:100::1

cat >"$CF_DIR/sets.inc" <<CONF
set cloud {
	${CLOUD_IPS[0]} 2001:db8:ff::10
}
set ntp-servers {
	$NTP_IP
}
CONF
cat >"$CF_DIR/camfence.conf" <<CONF
include sets.inc

zone cameras {
	interface lan0
	unknown deny
}

group yi-cameras {
	vendor yi
	policy cam
}

group v6-only {
	ip 2001:db8:10::/64
	policy v6
}

policy cam {
	allow to router tcp 22
	allow to 192.168.20.0/24 tcp 554,8000-8010
	allow to 2001:db8:20::/64 tcp 554
	allow to ntp-servers udp 123
	deny to cloud
	default deny
}

policy v6 {
	allow to 2001:db8:20::/64 tcp 8080
	default deny
}
CONF
check "the policy checks clean" quiet "$CAMFENCECTL" check "$CF_DIR/camfence.conf"
daemon_up "$CF_DIR/camfence.conf"
sink_up "$NS_INET" inet0 inet

reached() { quiet cam "$CAMGEN" tcp --dst "$1" --port "$2" --timeout-ms 3000; }
blocked() { fails quiet cam "$CAMGEN" tcp --dst "$1" --port "$2" --timeout-ms 300; }

check "vendor yi: the camera is recognised by its OUI and reaches RTSP" reached "$NVR_IP" 554
check "router: the router's own address on lan0, port 22, reached" reached "$RTR_LAN_IP" 22
check "router: another port of it blocked" blocked "$RTR_LAN_IP" 23
check "port range: 8005 reached" reached "$NVR_IP" 8005
check "port range: 8010 reached" reached "$NVR_IP" 8010
check "port range: 8011 blocked" blocked "$NVR_IP" 8011
check "port list: 9000 blocked" blocked "$NVR_IP" 9000
check "IPv6 destination prefix: RTSP to the NVR reached" reached 2001:db8:20::10 554
check "IPv6 destination prefix: another port blocked" blocked 2001:db8:20::10 80
cam "$CAMGEN" udp --dst "$NTP_IP" --port 123 --count 3 --interval-ms 1 >/dev/null
cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32100 --count 3 --interval-ms 1 >/dev/null
cam "$CAMGEN" udp --dst 2001:db8:ff::10 --port 32100 --count 3 --interval-ms 1 >/dev/null
sleep 0.3
sink_down inet
check "named set from an included file: NTP arrives" test "$(sink_count inet udp "$NTP_IP" 123)" -eq 3
check "named set: IPv4 cloud host gets nothing" test "$(sink_count inet udp "${CLOUD_IPS[0]}")" -eq 0
check "named set: IPv6 cloud host gets nothing" test "$(sink_count inet udp 2001:db8:ff::10)" -eq 0
deny_line=$(grep -n 'deny to cloud' "$CF_DIR/camfence.conf" | cut -d: -f1)
check "the alert names the deny rule of the set" \
	wait_for 5 grep -q "blocked udp $CAM_IP:[0-9]* -> ${CLOUD_IPS[0]}:32100 .* group yi-cameras policy cam by rule $CF_DIR/camfence.conf:$deny_line " "$CF_DIR/messages"
check "the IPv6 alert names it too" \
	grep -q "blocked udp \[2001:db8:10::204\]:[0-9]* -> \[2001:db8:ff::10\]:32100 .* by rule $CF_DIR/camfence.conf:$deny_line " "$CF_DIR/messages"

# log 2/minute: five new flows under that rule make two alerts
sed -i "0,/\tdefault deny/s//\tdeny to 198.51.100.0\/24 udp log 2\/minute\n\tdefault deny/" "$CF_DIR/camfence.conf"
quiet ctl reload
for port in 1001 1002 1003 1004 1005; do
	cam "$CAMGEN" udp --dst 198.51.100.77 --port "$port" --count 1 >/dev/null
done
check "log 2/minute: two alerts of five blocked flows" \
	wait_for 5 eval "test \"\$(grep -c 'blocked udp .* -> 198.51.100.77:100[1-5] ' \"\$CF_DIR/messages\")\" -eq 2"
sleep 0.5
check "log 2/minute: exactly two" test "$(grep -c 'blocked udp .* -> 198.51.100.77:100[1-5] ' "$CF_DIR/messages")" -eq 2
check "log 2/minute: status counts the three suppressed" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^suppressed .* rule-rate 3$'"

# another MAC: no longer a Yi camera; its IPv6 source prefix still names it
ip -n "$NS_CAM" link set cam0 address 02:00:00:00:00:99
ip -n "$NS_RTR" neigh flush dev lan0
check "IPv6 source prefix: the renamed device follows policy v6" reached 2001:db8:20::10 8080
check "IPv6 source prefix: what v6 does not allow is blocked" blocked 2001:db8:20::10 554
check "IPv4 from the unknown MAC is denied" blocked "$NVR_IP" 554
check "the unknown device is alerted as such" \
	wait_for 5 grep -q "blocked tcp $CAM_IP:[0-9]* -> $NVR_IP:554 iface lan0 mac 02:00:00:00:00:99 group - policy - by unknown device" "$CF_DIR/messages"

exit "$CF_FAILED"
