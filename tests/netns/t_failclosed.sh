#!/usr/bin/env bash
# Fail closed: kill -9 of camfenced while the camera sends to a forbidden
# destination lets not one packet through; a new camfenced takes over and
# alerts resume.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
write_policy "$CF_DIR/camfence.conf"
daemon_up "$CF_DIR/camfence.conf"
sink_up "$NS_INET" inet0 inet
target=${CLOUD_IPS[0]}

# a steady stream to the forbidden host, across the kill and the restart
cam "$CAMGEN" udp --dst "$target" --port 32100 --count 400 --interval-ms 10 >"$CF_DIR/stream.out" 2>&1 &
stream=$!
sleep 1
kill -9 "$(cat "$CF_DIR/camfenced.pid")"
check "kill -9: camfenced is gone" wait_for 5 bash -c "! kill -0 $(cat "$CF_DIR/camfenced.pid") 2>/dev/null"
check "kill -9: the XDP program stays attached" bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"
sleep 1
rm -f "$CF_DIR/ctl.sock"
check "kill -9: the pins outlive the daemon" test -e "$CF_DIR/bpffs/camfence/camfence_xdp"
daemon_up "$CF_DIR/camfence.conf"
wait "$stream" || true
sink_down inet

check "the stream ran across kill and restart" grep -q "^udp $target 32100 sent 400$" "$CF_DIR/stream.out"
check "not one packet reached the forbidden host" test "$(sink_count inet udp "$target")" -eq 0
check "the restarted daemon took over the pinned state" \
	grep -q "took over the pinned state in $CF_DIR/bpffs/camfence (generation 1)" "$CF_DIR/messages"
# a flow the killed daemon's program saw is known to the pinned flow table;
# a new one is alerted
cam "$CAMGEN" udp --dst "${CLOUD_IPS[1]}" --port 32100 --count 2 >/dev/null
check "after the restart, alerts resume" \
	wait_for 5 grep -q "blocked udp $CAM_IP:[0-9]* -> ${CLOUD_IPS[1]}:32100 " "$CF_DIR/messages"
check "the restarted daemon answers" quiet ctl status

exit "$CF_FAILED"
