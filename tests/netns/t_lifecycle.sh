#!/usr/bin/env bash
# Start-up refusals, camfencectl's errors, and a clean stop that detaches.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"

# a bad file at start: camfenced exits 1, says where, attaches nothing
printf 'zone cameras {\n\tinterface lan0\n}\ngroup g {\n\tmac 00:11\n}\n' >"$CF_DIR/bad.conf"
set +e
rtr "$CAMFENCED" -f -c "$CF_DIR/bad.conf" -s "$CF_DIR/bad.sock" >"$CF_DIR/bad.out" 2>&1
rc=$?
set -e
check "bad file at start: exit 1" test "$rc" -eq 1
check "bad file at start: FILE:LINE:COL error" grep -q "^$CF_DIR/bad.conf:5:6: '00:11': not a MAC address" "$CF_DIR/bad.out"
check "bad file at start: nothing attached" bash -c "! ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"

check "camfencectl status without a daemon says so" \
	bash -c "$(declare -f rtr); NS_RTR=$NS_RTR; rtr $CAMFENCECTL -s $CF_DIR/none.sock status 2>&1 | grep -q 'camfenced is not running'"
check "camfencectl check of a good file" quiet "$CAMFENCECTL" check "$conf"
check "camfenced --check of a bad file exits 1" bash -c "! $CAMFENCED --check $CF_DIR/bad.conf 2>/dev/null"
check "camfencectl with an unknown command exits 2" bash -c "$CAMFENCECTL frobnicate 2>/dev/null; test \$? -eq 2"
check "camfencectl with extra arguments exits 2" bash -c "$CAMFENCECTL status now 2>/dev/null; test \$? -eq 2"

daemon_up "$conf"
check "daemon up: XDP attached" bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"
check "control socket is root's only" test "$(stat -c %a "$CF_DIR/ctl.sock")" = 600
if command -v setpriv >/dev/null; then
	chmod 755 "$CF_DIR"
	out=$(rtr setpriv --reuid=65534 --regid=65534 --clear-groups "$CAMFENCECTL" -s "$CF_DIR/ctl.sock" status 2>&1 || true)
	check "non-root camfencectl is told to run as root" grep -q 'permission denied.*run as root' <<<"$out"
fi
check "unknown request over the socket is refused" \
	bash -c "echo frob | ip netns exec $NS_RTR socat - UNIX-CONNECT:$CF_DIR/ctl.sock | grep -q '^error: unknown request'"
check "a silent client does not stall the daemon" \
	bash -c "(sleep 4 | socat - UNIX-CONNECT:$CF_DIR/ctl.sock >/dev/null) & sleep 0.2; ip netns exec $NS_RTR timeout 3 $CAMFENCECTL -s $CF_DIR/ctl.sock status >/dev/null"

pid=$(cat "$CF_DIR/camfenced.pid")
kill -TERM "$pid"
check "SIGTERM: camfenced exits" wait_for 5 bash -c "! kill -0 $pid"
check "SIGTERM: XDP detached from lan0" bash -c "! ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"
check "SIGTERM: detach is logged" grep -q "interface lan0: XDP detached, enforcement lifted" "$CF_DIR/messages"
check "SIGTERM: control socket removed" test ! -e "$CF_DIR/ctl.sock"

exit "$CF_FAILED"
