#!/usr/bin/env bash
# Alerts to a remote collector as RFC 5424 with structured data, over UDP
# and over TCP (octet counting): a real rsyslogd in the internet namespace
# receives them. A collector that goes away costs counted drops, nothing
# else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

COLLECTOR=192.0.2.60
sandbox_up
ip -n "$NS_INET" addr add "$COLLECTOR/32" dev lo
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"

# the collector: its own rsyslogd, one file per transport
mkdir -p "$CF_DIR/collector"
cat >"$CF_DIR/collector.conf" <<CONF
global(workDirectory="$CF_DIR/collector")
module(load="imudp")
module(load="imtcp")
template(name="rfc5424" type="string" string="%hostname% %app-name% %procid% %msgid% %structured-data% %msg%\n")
input(type="imudp" address="$COLLECTOR" port="5514" ruleset="udp")
input(type="imtcp" address="$COLLECTOR" port="5515" ruleset="tcp")
ruleset(name="udp") { action(type="omfile" file="$CF_DIR/collector/udp.log" template="rfc5424") }
ruleset(name="tcp") { action(type="omfile" file="$CF_DIR/collector/tcp.log" template="rfc5424") }
CONF
ip netns exec "$NS_INET" rsyslogd -n -f "$CF_DIR/collector.conf" -i "$CF_DIR/collector/rsyslogd.pid" >"$CF_DIR/collector.out" 2>&1 &
echo $! >"$CF_DIR/collector.pid"
wait_for 5 bash -c "ip netns exec $NS_INET ss -ltn | grep -q '$COLLECTOR:5515'"

# received TRANSPORT DST: the collector has an alert for DST with its fields
received() {
	grep "camfenced [0-9]* blocked \[camfence@32473 " "$CF_DIR/collector/$1.log" 2>/dev/null |
		grep "mac=\"$CAM_MAC\"" | grep -q "$2"
}

daemon_up "$conf" --syslog-remote "udp://$COLLECTOR:5514"
cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32100 --count 2 >/dev/null
check "udp: the collector has the alert with structured data" wait_for 5 received udp "${CLOUD_IPS[0]}"
check "udp: the same alert went to local syslog" \
	grep -q "blocked udp $CAM_IP:[0-9]* -> ${CLOUD_IPS[0]}:32100 " "$CF_DIR/messages"
check "udp: status counts what was sent" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^remote udp://$COLLECTOR:5514 sent [1-9]'"
kill "$(cat "$CF_DIR/camfenced.pid")"
wait_for 5 test ! -e "$CF_DIR/ctl.sock"

daemon_up "$conf" --syslog-remote "tcp://$COLLECTOR:5515"
cam "$CAMGEN" udp --dst "${CLOUD_IPS[1]}" --port 32100 --count 2 >/dev/null
check "tcp: the collector has the alert with structured data" wait_for 5 received tcp "${CLOUD_IPS[1]}"
check "tcp: the fields name the group and the destination" \
	grep -q "group=\"cams\".*dst=\"${CLOUD_IPS[1]}\"" "$CF_DIR/collector/tcp.log"

# the collector goes away: alerts still go to local syslog, drops are counted
kill "$(cat "$CF_DIR/collector.pid")"
check "collector gone: its port is closed" wait_for 5 bash -c "! ip netns exec $NS_INET ss -ltn | grep -q '$COLLECTOR:5515'"
cam "$CAMGEN" udp --dst "${CLOUD_IPS[2]}" --port 32100 --count 2 >/dev/null
check "collector gone: local syslog still has the alert" \
	wait_for 5 grep -q "blocked udp $CAM_IP:[0-9]* -> ${CLOUD_IPS[2]}:32100 " "$CF_DIR/messages"
check "collector gone: the daemon answers" quiet ctl status

exit "$CF_FAILED"
