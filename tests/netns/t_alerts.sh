#!/usr/bin/env bash
# Alerts stay readable under repetition and bounded under a flood: one line
# per new blocked destination, then "N more in the last S s" per window;
# past the device limit, lines are counted and the count is reported.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"
daemon_up "$conf" --alert-window 2 --alert-rate 5/minute
cloud=${CLOUD_IPS[0]}
alerts_to() { grep -c "blocked udp $CAM_IP:[0-9]* -> $1 iface lan0" "$CF_DIR/messages" || true; }

# one flow, 30 datagrams: one line, then the other 29 summed
cam "$CAMGEN" udp --dst "$cloud" --port 32100 --count 30 --interval-ms 5 >/dev/null
check "repeats: the first datagram is alerted" wait_for 5 eval 'test "$(alerts_to "$cloud:32100")" -eq 1'
check "repeats: the other 29 in one summary line" \
	wait_for 6 grep -q "blocked udp $CAM_IP -> $cloud:32100 mac $CAM_MAC device - group cams: 29 more in the last [0-9]* s" "$CF_DIR/messages"
check "repeats: still one alert line for the flow" test "$(alerts_to "$cloud:32100")" -eq 1

# eight new destinations from one device at 5/minute: four lines (one of
# the five went to the first flow), four counted and reported
for port in 40001 40002 40003 40004 40005 40006 40007 40008; do
	cam "$CAMGEN" udp --dst "${CLOUD_IPS[1]}" --port "$port" --count 1 >/dev/null
done
check "device limit: four of eight destinations alerted" \
	wait_for 5 eval 'test "$(alerts_to "${CLOUD_IPS[1]}:4000[1-8]")" -eq 4'
# reported with the limit, in one window's line or, on a slow machine, two
device_suppressed_are() {
	test "$(grep "alerts: .*suppressed (" "$CF_DIR/messages" | grep -o "device limit 5/60s: [0-9]*" |
		awk '{ n += $4 } END { print n + 0 }')" -eq "$1"
}
check "device limit: the other four reported, with the limit" wait_for 10 device_suppressed_are 4
check "device limit: status counts them" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^suppressed device-limit 4 '"
check "device limit: blocked lists all eight all the same" \
	test "$(ctl blocked | grep -c "${CLOUD_IPS[1]}:4000[1-8]")" -eq 8
check "device limit: every datagram was dropped" \
	test "$(ctl status | awk '$1 == "dropped" { print $2 }')" -ge 38

exit "$CF_FAILED"
