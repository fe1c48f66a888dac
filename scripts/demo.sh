#!/usr/bin/env bash
# make demo [PCAP=file]: camfence for real in a sandbox of network
# namespaces (a camera, an NVR, the router, the internet; see the picture in
# tests/netns/lib.sh). The camera is camgen acting like an IP camera, or the
# replay of a capture. Shows the syslog alerts as they arrive, what reached
# the NVR and the internet, the per-device flows and the counters, then
# removes everything, also on Ctrl-C. The host's own interfaces are never
# touched: the router's only way out is the sandbox's internet namespace.
set -euo pipefail

PCAP_FILE=${1:-}
DURATION=${DEMO_SECONDS:-8}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (it creates network namespaces and loads XDP)" >&2
	exit 1
fi
if [ -n "$PCAP_FILE" ] && [ ! -r "$PCAP_FILE" ]; then
	echo "demo: PCAP=$PCAP_FILE: cannot read the file" >&2
	exit 1
fi

CF_TAG=cfdemo$$
. "$(dirname "$0")/../tests/netns/lib.sh"

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
indent() { sed 's/^/    /'; }

cleanup() {
	local rc=$?
	[ -n "${TAIL_PID:-}" ] && kill "$TAIL_PID" 2>/dev/null
	sandbox_down
	echo
	echo "demo: sandbox removed"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$PCAP_FILE" ]; then
	info=$("$CAMGEN" pcap-info "$PCAP_FILE") || exit 1
	mac=$(awk '$1 == "camera_mac" { print $2 }' <<<"$info")
	ip4=$(awk '$1 == "camera_ipv4" { print $2 }' <<<"$info")
	if [ -z "$ip4" ]; then
		echo "demo: $PCAP_FILE: the camera ($mac) sends no IPv4; the demo needs an IPv4 camera" >&2
		exit 1
	fi
	camera_is "$mac" "$ip4"
fi

say "camfence demo: camera, NVR, router and internet in network namespaces ($CF_TAG-*)"
sandbox_up
if [ -n "$PCAP_FILE" ]; then
	# the capture's LAN peers sit behind the router's NVR port
	for peer in $(awk -v net="$LAN_NET." '$1 == "peer" && index($2, net) == 1 { print $2 }' <<<"$info" | sort -u); do
		case "$peer" in "$CAM_IP" | "$RTR_LAN_IP" | *.255 | *.0) continue ;; esac
		ip -n "$NS_NVR" addr add "$peer/32" dev eth0
		ip -n "$NS_RTR" route add "$peer/32" dev nvr0
	done
fi
syslog_up
write_policy "$CF_DIR/camfence.conf"
echo "policy $CF_DIR/camfence.conf:"
indent <"$CF_DIR/camfence.conf"

say "starting camfenced on the router (XDP on lan0, alerts to a private rsyslogd)"
# a short alert window, so that repeats are summed while you watch
daemon_up "$CF_DIR/camfence.conf" --alert-window 3
ctl status | indent
sink_up "$NS_NVR" eth0 nvr
sink_up "$NS_INET" inet0 inet

say "syslog alerts as they arrive:"
touch "$CF_DIR/messages"
# $! must be tail itself, so that stopping it ends the whole watcher
tail -n 0 -F --pid=$$ "$CF_DIR/messages" 2>/dev/null \
	> >(grep --line-buffered 'blocked' | sed -u 's/^/    /') &
TAIL_PID=$!

if [ -n "$PCAP_FILE" ]; then
	lan_mac=$(ip -n "$NS_RTR" -j link show lan0 | sed -n 's/.*"address":"\([^"]*\)".*/\1/p')
	echo "    (replaying $PCAP_FILE from camera $CAM_MAC $CAM_IP, 5x speed)"
	cam "$CAMGEN" replay --iface cam0 --pcap "$PCAP_FILE" --dmac "$lan_mac" --speed 5 \
		>"$CF_DIR/camera.out" 2>&1 &
else
	echo "    (camera $CAM_MAC $CAM_IP: RTP to the NVR, NTP, DNS to an outside resolver,"
	echo "     cloud phone-home by hard-coded address on UDP and TCP, for ${DURATION}s)"
	cam "$CAMGEN" camera --nvr "$NVR_IP" --cloud "$(IFS=,; echo "${CLOUD_IPS[*]}")" \
		--ntp "$NTP_IP" --dns "$DNS_IP" --duration "$DURATION" >"$CF_DIR/camera.out" 2>&1 &
fi
# waiting in the wait builtin lets a Ctrl-C reach the INT trap at once
wait $! || true
sleep 4	# the last alert window closes
kill "$TAIL_PID" 2>/dev/null || true
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=
sleep 0.2
sink_down nvr
sink_down inet

say "what the camera tried:"
indent <"$CF_DIR/camera.out"
say "what arrived at the NVR side (protocol, destination, port, packets):"
indent <"$CF_DIR/nvr.sink"
say "what arrived on the internet:"
grep -E '^(udp|tcp|icmp) ' "$CF_DIR/inet.sink" | indent || echo "    nothing"
say "devices (camfencectl devices):"
ctl devices | indent
say "per-device flows (camfencectl flows):"
ctl flows | indent
say "counters (camfencectl status):"
ctl status | indent
