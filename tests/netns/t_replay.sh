#!/usr/bin/env bash
# A real camera's capture (../shared/testdata, Yi camera, Mon(IoT)r) replayed
# through the router: its LAN stream arrives, none of its cloud phone-home
# does, and each cloud host is alerted on.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PCAP=${CAMFENCE_PCAP:-$CF_ROOT/../shared/testdata/yi_camera_sample.pcap}
if [ ! -r "$PCAP" ]; then
	echo "SKIP replay of a real capture: $PCAP is not present"
	exit 77
fi
trap sandbox_down EXIT

info=$("$CAMGEN" pcap-info "$PCAP")
camera_is "$(awk '$1 == "camera_mac" { print $2 }' <<<"$info")" \
	"$(awk '$1 == "camera_ipv4" { print $2 }' <<<"$info")"
PHONE=192.168.10.248
CLOUD=(47.88.59.209 47.90.240.160 47.74.255.9)

sandbox_up
# the phone of the capture sits behind the router's NVR port
ip -n "$NS_NVR" addr add "$PHONE/32" dev eth0
ip -n "$NS_RTR" route add "$PHONE/32" dev nvr0
syslog_up
write_policy "$CF_DIR/camfence.conf"
daemon_up "$CF_DIR/camfence.conf"
sink_up "$NS_NVR" eth0 nvr
sink_up "$NS_INET" inet0 inet

lan_mac=$(ip -n "$NS_RTR" -j link show lan0 | sed -n 's/.*"address":"\([^"]*\)".*/\1/p')
cam "$CAMGEN" replay --iface cam0 --pcap "$PCAP" --dmac "$lan_mac" --fast >"$CF_DIR/replay.out"
sleep 0.5
sink_down nvr
sink_down inet

want_lan=$(awk -v p="$PHONE" '$1 == "peer" && $2 == p && $3 == "udp" { n += $5 } END { print n + 0 }' <<<"$info")
check "replay: the camera's frames were all sent" grep -q "^replay: sent \([0-9]*\) of \1 frames" "$CF_DIR/replay.out"
check "replay: all $want_lan datagrams to the phone arrive" test "$(sink_count nvr udp "$PHONE")" -eq "$want_lan"
for ip in "${CLOUD[@]}"; do
	check "replay: no packet reaches cloud host $ip" test "$(sink_count inet udp "$ip")" -eq 0
	check "replay: syslog alert for $ip:32100" \
		wait_for 5 grep -q "blocked udp $CAM_IP:[0-9]* -> $ip:32100 iface lan0 mac $CAM_MAC" "$CF_DIR/messages"
done
check "replay: no UDP or TCP at all reaches the internet" \
	test "$(awk '$1 == "udp" || $1 == "tcp" { n += $4 } END { print n + 0 }' "$CF_DIR/inet.sink")" -eq 0

flows=$(ctl flows)
check "flows: the camera's LAN peer is allowed" \
	grep -Eq "^$CAM_MAC +cams +$PHONE +udp +[0-9]+ +allowed" <<<"$flows"
for ip in "${CLOUD[@]}"; do
	check "flows: cloud host $ip is blocked" \
		grep -Eq "^$CAM_MAC +cams +$ip +udp +32100 +blocked +3 " <<<"$flows"
done
check "flows: a MAC filter shows only that device" \
	test "$(ctl flows "$CAM_MAC" | tail -n +2 | grep -vc "^$CAM_MAC")" -eq 0
check "flows: a bad MAC is refused" fails quiet ctl flows nonsense

vendor=$(awk -v m="$(tr -d : <<<"${CAM_MAC:0:8}" | tr a-f A-F)" '$1 == m && $2 == "(base" { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' /usr/share/ieee-data/oui.txt 2>/dev/null || true)
devices=$(ctl devices)
check "devices: the camera, its group and address" grep -Eq "^$CAM_MAC .*cams .*$CAM_IP" <<<"$devices"
if [ -n "$vendor" ]; then
	check "devices: the camera's vendor from the IEEE registry" grep -Fq "${vendor:0:12}" <<<"$devices"
	check "alerts: name the vendor" grep -Fq "vendor \"${vendor:0:12}" "$CF_DIR/messages"
fi
check "alerts: name the camera's address" grep -q "blocked udp .* mac $CAM_MAC .* addresses [^ ]*$CAM_IP" "$CF_DIR/messages"
blocked=$(ctl blocked)
for ip in "${CLOUD[@]}"; do
	check "blocked: lists cloud host $ip" grep -q "$ip:32100" <<<"$blocked"
done

exit "$CF_FAILED"
