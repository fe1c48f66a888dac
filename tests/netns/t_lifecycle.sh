#!/usr/bin/env bash
# Start-up refusals, a second camfenced refused by the pid file, and
# stopping: SIGTERM and `camfencectl stop` leave enforcement in force for
# the next camfenced to take over; only `stop --detach` lifts it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"
xdp_on_lan0() { ip -n "$NS_RTR" -d link show lan0 | grep -q prog/xdp; }
gen() { ctl status | awk '/^policy/ { print $4 }'; }

# a bad file at start: camfenced exits 1, says where, attaches nothing
printf 'zone cameras {\n\tinterface lan0\n}\ngroup g {\n\tmac 00:11\n}\n' >"$CF_DIR/bad.conf"
set +e
rtr "$CAMFENCED" -f -c "$CF_DIR/bad.conf" -s "$CF_DIR/bad.sock" --pidfile "$CF_DIR/bad.run" \
	--pin-dir none >"$CF_DIR/bad.out" 2>&1
rc=$?
set -e
check "bad file at start: exit 1" test "$rc" -eq 1
check "bad file at start: FILE:LINE:COL error" grep -q "^$CF_DIR/bad.conf:5:6: '00:11': not a MAC address" "$CF_DIR/bad.out"
check "bad file at start: nothing attached" fails xdp_on_lan0
check "camfenced --check of a bad file exits 1" bash -c "! $CAMFENCED --check $CF_DIR/bad.conf 2>/dev/null"
for bad in "--max-flows 0" "--max-flows lots" "--alert-rate 10/fortnight" "--alert-rate x/minute" \
	"--alert-window 0" "--syslog-remote ftp://192.0.2.1"; do
	set +e
	rtr "$CAMFENCED" -f -c "$conf" -s "$CF_DIR/bad.sock" --pidfile "$CF_DIR/bad.run" \
		--pin-dir none $bad >"$CF_DIR/badopt.out" 2>&1
	rc=$?
	set -e
	check "camfenced $bad: refused with a reason" \
		bash -c "[ $rc -ne 0 ] && grep -q -e '${bad%% *}' -e 'remote syslog' '$CF_DIR/badopt.out'"
done
check "bad options: nothing attached" fails xdp_on_lan0

daemon_up "$conf"
pid=$(cat "$CF_DIR/camfenced.pid")
check "daemon up: XDP attached" xdp_on_lan0
check "daemon up: program and maps pinned" test -e "$CF_DIR/bpffs/camfence/camfence_xdp"
check "daemon up: the pid file holds its pid" test "$(cat "$CF_DIR/camfenced.run")" = "$pid"
check "control socket is root's only" test "$(stat -c %a "$CF_DIR/ctl.sock")" = 600
set +e
rtr "$CAMFENCED" -f -c "$conf" -s "$CF_DIR/second.sock" --pidfile "$CF_DIR/camfenced.run" \
	--pin-dir "$CF_DIR/bpffs/camfence" >"$CF_DIR/second.out" 2>&1
rc=$?
set -e
check "a second camfenced is refused" \
	bash -c "[ $rc -eq 1 ] && grep -q 'another camfenced is running (pid $pid, pid file $CF_DIR/camfenced.run)' '$CF_DIR/second.out'"
check "the first one still answers" quiet ctl status

kill -TERM "$pid"
check "SIGTERM: camfenced exits" wait_for 5 bash -c "! kill -0 $pid"
check "SIGTERM: XDP stays on lan0" xdp_on_lan0
check "SIGTERM: logged that enforcement stays" \
	grep -q "camfenced stops; enforcement stays in force on 1 interface, state pinned in $CF_DIR/bpffs/camfence" "$CF_DIR/messages"
check "SIGTERM: control socket removed" test ! -e "$CF_DIR/ctl.sock"
check "SIGTERM: pid file removed" test ! -e "$CF_DIR/camfenced.run"
check "SIGTERM: the cloud host is still blocked" \
	fails quiet cam "$CAMGEN" tcp --dst "${CLOUD_IPS[0]}" --port 443 --timeout-ms 300

daemon_up "$conf"
check "restart: takes over the pinned state" \
	wait_for 5 grep -q "took over the pinned state in $CF_DIR/bpffs/camfence (generation 1)" "$CF_DIR/messages"
check "restart: generation goes on from the pinned one" test "$(gen)" = 2
check "restart: status says it took over" bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q 'took over'"

pid=$(cat "$CF_DIR/camfenced.pid")
check "camfencectl stop: answered" quiet ctl stop
check "camfencectl stop: camfenced exits" wait_for 5 bash -c "! kill -0 $pid"
check "camfencectl stop: XDP stays on lan0" xdp_on_lan0

daemon_up "$conf"
pid=$(cat "$CF_DIR/camfenced.pid")
check "camfencectl stop --detach: answered" quiet ctl stop --detach
check "stop --detach: camfenced exits" wait_for 5 bash -c "! kill -0 $pid"
check "stop --detach: XDP detached from lan0" fails xdp_on_lan0
check "stop --detach: pins removed" test ! -e "$CF_DIR/bpffs/camfence"
check "stop --detach: logged" grep -q "enforcement lifted by camfencectl stop --detach" "$CF_DIR/messages"
check "stop --detach: the lifted interface is named" \
	grep -q "interface lan0: XDP detached, enforcement lifted" "$CF_DIR/messages"

daemon_up "$conf"
check "after --detach: a fresh start, no takeover" test "$(gen)" = 1
pid=$(cat "$CF_DIR/camfenced.pid")
quiet ctl stop --detach
wait_for 5 bash -c "! kill -0 $pid"

daemon_up "$conf" --no-xdp
check "--no-xdp: nothing attached to lan0" fails xdp_on_lan0
check "--no-xdp without the module: says nothing enforces" \
	grep -q -- "--no-xdp and camfence.ko is not loaded: nothing enforces the policy" "$CF_DIR/messages"

exit "$CF_FAILED"
