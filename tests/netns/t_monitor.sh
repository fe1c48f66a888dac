#!/usr/bin/env bash
# `mode monitor`: nothing is dropped; what the policy would block reaches
# the internet and is alerted as "would block", with the same flows and
# counts as enforcement; a reload to `mode enforce` blocks it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy_mode() {
	cat >"$conf" <<CONF
zone cameras {
	interface lan0
	unknown deny
}

group cams {
	mac $CAM_MAC
	policy lan-only
	mode $1
}

policy lan-only {
	allow to 192.168.20.0/24
	allow to $NTP_IP udp 123
	default deny
}
CONF
}
write_policy_mode monitor
check "camfencectl check accepts a mode" quiet "$CAMFENCECTL" check "$conf"
daemon_up "$conf"
sink_up "$NS_INET" inet0 inet

cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32100 --count 5 --interval-ms 1 >/dev/null
check "monitor: the cloud host is reached by TCP" quiet cam "$CAMGEN" tcp --dst "${CLOUD_IPS[1]}" --port 443
check "monitor: alerted as would block" \
	wait_for 5 grep -q "would block udp $CAM_IP:[0-9]* -> ${CLOUD_IPS[0]}:32100 " "$CF_DIR/messages"
check "monitor: flows say would block" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl flows --json | /usr/bin/python3 -c 'import json,sys; f=json.load(sys.stdin)[\"flows\"]; assert any(x[\"destination\"].startswith(\"${CLOUD_IPS[0]}\") and x[\"verdict\"] == \"would block\" for x in f), f' 2>/dev/null ||
		ctl flows | grep -q '${CLOUD_IPS[0]}.*would block'"
check "monitor: status says what is only watched" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^mode monitor (nothing blocked, what would be is alerted): group cams$'"
check "monitor: explain says it would be denied" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl -c $conf explain $CAM_MAC ${CLOUD_IPS[0]} udp 32100 | grep -q '^verdict: would deny'"
sink_down inet
check "monitor: every datagram reached the internet" test "$(sink_count inet udp "${CLOUD_IPS[0]}" 32100)" -eq 5

# enforce: one reload
write_policy_mode enforce
ctl reload >/dev/null
sink_up "$NS_INET" inet0 inet2
cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32100 --count 5 --interval-ms 1 >/dev/null
# a flow the alerts have not seen yet
cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32101 --count 1 >/dev/null
check "enforce: status no longer lists it" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ! ctl status | grep -q '^mode monitor'"
check "enforce: the cloud host is blocked" fails quiet cam "$CAMGEN" tcp --dst "${CLOUD_IPS[1]}" --port 443 --timeout-ms 300
check "enforce: alerted as blocked" \
	wait_for 5 grep -q " blocked udp $CAM_IP:[0-9]* -> ${CLOUD_IPS[0]}:32101 " "$CF_DIR/messages"
sink_down inet2
check "enforce: nothing reached the internet" test "$(sink_count inet2 udp "${CLOUD_IPS[0]}" 32100)" -eq 0
check "the NVR subnet stays allowed" quiet cam "$CAMGEN" tcp --dst "$NVR_IP" --port 554
exit "$CF_FAILED"
