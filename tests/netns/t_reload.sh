#!/usr/bin/env bash
# Reloads: a bad file leaves the running policy in force and says why; a
# good one takes over at once, under a new generation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"
daemon_up "$conf"
target=${CLOUD_IPS[0]}
gen() { ctl status | awk '/^policy/ { print $4 }'; }

check "generation 1 after start" test "$(gen)" = 1
check "cloud host blocked before any reload" \
	bash -c "! ip netns exec $NS_CAM $CAMGEN tcp --dst $target --port 443 --timeout-ms 300 >/dev/null"

# a typo in the file: SIGHUP must keep generation 1 in force
cp "$conf" "$conf.good"
sed -i 's/default deny/default deny\n\tallow to 0.0.0.0\/0 tcp 99999/' "$conf"
kill -HUP "$(cat "$CF_DIR/camfenced.pid")"
check "bad file: the error is logged with file, line and column" \
	wait_for 5 grep -q "camfenced\[[0-9]*\]: $conf:16:25: '99999' is not a port" "$CF_DIR/messages"
check "bad file: the log says the running policy stays" \
	grep -q "the running policy (generation 1) stays in force" "$CF_DIR/messages"
check "bad file: generation is still 1" test "$(gen)" = 1
check "bad file: cloud host still blocked" \
	bash -c "! ip netns exec $NS_CAM $CAMGEN tcp --dst $target --port 443 --timeout-ms 300 >/dev/null"
check "bad file: camfencectl reload fails" fails quiet ctl reload

# an interface that does not exist yet: left out and said, enforced when
# it appears
sed 's/interface lan0/interface lan0 lan9/' "$conf.good" >"$conf"
kill -HUP "$(cat "$CF_DIR/camfenced.pid")"
check "missing interface: said by name" \
	wait_for 5 grep -q "zone interface lan9 does not exist (yet): it is enforced when it appears" "$CF_DIR/messages"
check "missing interface: the policy loads without it (generation 2)" wait_for 5 eval 'test "$(gen)" = 2'
check "missing interface: lan0 still blocks the cloud host" \
	bash -c "! ip netns exec $NS_CAM $CAMGEN tcp --dst $target --port 443 --timeout-ms 300 >/dev/null"
ip -n "$NS_RTR" link add lan9 type veth peer name lan9p
ip -n "$NS_RTR" link set lan9 up
check "missing interface: XDP on it within a second of its appearing" \
	wait_for 1 bash -c "ip -n $NS_RTR -d link show lan9 | grep -q prog/xdp"
check "missing interface: the policy was loaded again for it" test "$(gen)" = 3
ip -n "$NS_RTR" link del lan9
cp "$conf.good" "$conf"
kill -HUP "$(cat "$CF_DIR/camfenced.pid")"
wait_for 5 eval 'test "$(gen)" = 4'

# a good file that opens the cloud host
sed "s|default deny|allow to $target tcp 443\n\tdefault deny|" "$conf.good" >"$conf"
kill -HUP "$(cat "$CF_DIR/camfenced.pid")"
check "good file: generation 5" wait_for 5 eval 'test "$(gen)" = 5'
check "good file: the newly allowed host is reached" \
	quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 1000
check "good file: loaded message in syslog" grep -q "policy $conf loaded: generation 5" "$CF_DIR/messages"

# and closed again through camfencectl
cp "$conf.good" "$conf"
check "camfencectl reload succeeds" quiet ctl reload
check "reload: generation 6" test "$(gen)" = 6
check "reload: the host is blocked again" \
	bash -c "! ip netns exec $NS_CAM $CAMGEN tcp --dst $target --port 443 --timeout-ms 300 >/dev/null"

# 100 reloads while the camera streams to a forbidden host and to the NVR:
# every swap is atomic, so not one forbidden datagram gets out
sink_up "$NS_INET" inet0 inet
sink_up "$NS_NVR" eth0 nvr
sed "s|default deny|allow to 192.0.2.200 tcp 80\n\tdefault deny|" "$conf.good" >"$conf.other"
g0=$(gen)
cam "$CAMGEN" udp --dst "$target" --port 32100 --count 1500 --interval-ms 2 >"$CF_DIR/fstream.out" 2>&1 &
forbidden=$!
cam "$CAMGEN" udp --dst "$NVR_IP" --port 5004 --count 1500 --interval-ms 2 >"$CF_DIR/astream.out" 2>&1 &
allowed=$!
failed_reloads=0
for i in $(seq 1 100); do
	if [ $((i % 2)) -eq 1 ]; then cp "$conf.other" "$conf"; else cp "$conf.good" "$conf"; fi
	ctl reload >/dev/null || failed_reloads=$((failed_reloads + 1))
done
wait "$forbidden" "$allowed" || true
sleep 0.3
sink_down inet
sink_down nvr
check "100 reloads under traffic: all succeeded" test "$failed_reloads" -eq 0
check "100 reloads under traffic: generation went up by 100" test "$(gen)" -eq $((g0 + 100))
check "100 reloads under traffic: the forbidden stream was sent" grep -q "^udp $target 32100 sent 1500$" "$CF_DIR/fstream.out"
check "100 reloads under traffic: not one forbidden datagram arrived" test "$(sink_count inet udp "$target")" -eq 0
check "100 reloads under traffic: the NVR stream all arrived" test "$(sink_count nvr udp "$NVR_IP" 5004)" -eq 1500

exit "$CF_FAILED"
