#!/usr/bin/env bash
# The camera's allowed traffic crosses the router, its phone-home does not,
# and every blocked attempt reaches syslog as an alert.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
write_policy "$CF_DIR/camfence.conf"
daemon_up "$CF_DIR/camfence.conf"
sink_up "$NS_NVR" eth0 nvr
sink_up "$NS_INET" inet0 inet

check "XDP is attached to lan0" \
	bash -c "ip -n $NS_RTR -d link show lan0 | grep -q 'prog/xdp'"

cam "$CAMGEN" udp --dst "$NVR_IP" --port 5004 --count 20 --interval-ms 1 >/dev/null
check "allowed: TCP to the NVR is answered" quiet cam "$CAMGEN" tcp --dst "$NVR_IP" --port 554
cam "$CAMGEN" udp --dst "$NTP_IP" --port 123 --count 3 --interval-ms 1 >/dev/null
cam "$CAMGEN" udp --dst "$NTP_IP" --port 124 --count 3 --interval-ms 1 >/dev/null
for ip in "${CLOUD_IPS[@]}"; do
	cam "$CAMGEN" udp --dst "$ip" --port 32100 --count 5 --interval-ms 1 >/dev/null
	if cam "$CAMGEN" tcp --dst "$ip" --port 443 --timeout-ms 300 >/dev/null; then
		fail "forbidden: TCP to $ip:443 was answered"
	else
		pass "forbidden: TCP to $ip:443 gets no answer"
	fi
done
sleep 0.3
sink_down nvr
sink_down inet

check "allowed: all 20 datagrams reach the NVR" test "$(sink_count nvr udp "$NVR_IP" 5004)" -eq 20
check "allowed: NTP reaches its server" test "$(sink_count inet udp "$NTP_IP" 123)" -eq 3
check "forbidden: NTP server on another port gets nothing" test "$(sink_count inet udp "$NTP_IP" 124)" -eq 0
for ip in "${CLOUD_IPS[@]}"; do
	check "forbidden: nothing arrives at $ip" test "$(sink_count inet udp "$ip")$(sink_count inet tcp "$ip")" = 00
done

wait_for 5 grep -q "blocked tcp .* -> ${CLOUD_IPS[2]}:443" "$CF_DIR/messages" || true
for ip in "${CLOUD_IPS[@]}"; do
	check "syslog: alert for udp to $ip:32100 naming the camera" \
		grep -Eq "camfenced\[[0-9]+\]: blocked udp $CAM_IP:[0-9]+ -> $ip:32100 iface lan0 mac $CAM_MAC group cams policy lan-only by default deny" \
		"$CF_DIR/messages"
	check "syslog: 5 datagrams of one blocked flow to $ip make one alert" \
		test "$(grep -c "blocked udp $CAM_IP:[0-9]* -> $ip:32100 " "$CF_DIR/messages")" -eq 1
	check "syslog: alert for tcp to $ip:443" grep -q "blocked tcp $CAM_IP:[0-9]* -> $ip:443 " "$CF_DIR/messages"
done
check "syslog: no alert for allowed traffic" bash -c "! grep -q -- '-> $NVR_IP' '$CF_DIR/messages'"

status=$(ctl status)
check "camfencectl status shows the drops" \
	bash -c "echo '$status' | awk '/^dropped/ { exit !(\$2 >= 15) }'"
check "camfencectl status shows the passes" \
	bash -c "echo '$status' | awk '/^passed/ { exit !(\$2 >= 23) }'"
rules=$(ctl rules)
check "camfencectl rules: the NVR rule counted the stream and the RTSP connection" \
	bash -c "grep -E '^$CF_DIR/camfence.conf:12 +allow +lan-only +' <<<'$rules' | awk '{ exit !(\$4 >= 21) }'"
check "camfencectl rules: the NTP rule counted its three datagrams" \
	bash -c "grep -E '^$CF_DIR/camfence.conf:14 +allow +lan-only +3 ' <<<'$rules' >/dev/null"
check "camfencectl status names the interface" bash -c "echo '$status' | grep -q '^interface lan0 '"

exit "$CF_FAILED"
