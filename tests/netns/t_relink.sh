#!/usr/bin/env bash
# A zone interface deleted and created again is enforced again within a
# second, without a restart: camfenced follows links over rtnetlink. One
# taken down and up, or renamed and renamed back, is enforced throughout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
write_policy "$CF_DIR/camfence.conf"
daemon_up "$CF_DIR/camfence.conf"
target=${CLOUD_IPS[0]}

check "before: the cloud host is blocked" \
	fails quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 300

# the camera's cable out and in: the veth pair deleted and made anew
ip -n "$NS_RTR" link del lan0
check "the daemon sees lan0 go" \
	wait_for 5 grep -q "interface lan0 is gone; it is enforced again when it comes back" "$CF_DIR/messages"
camera_link_up
check "within a second, XDP is on the new lan0" \
	wait_for 1 bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"
check "the daemon says why it reloaded" \
	grep -q "interface lan0 appeared (ifindex [0-9]*): loading the policy for it" "$CF_DIR/messages"
check "after: the cloud host is blocked again" \
	fails quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 300
check "after: the NVR is reached" quiet cam "$CAMGEN" tcp --dst "$NVR_IP" --port 554 --timeout-ms 3000
check "after: status lists the new lan0" bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^interface lan0 ifindex [0-9]* xdp'"


# down and up: the program stays attached through both
ip -n "$NS_RTR" link set lan0 down
ip -n "$NS_RTR" link set lan0 up
check "down and up: XDP still on lan0" bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"
check "down and up: the cloud host is blocked" \
	fails quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 300
check "down and up: the NVR is reached" quiet cam "$CAMGEN" tcp --dst "$NVR_IP" --port 554 --timeout-ms 3000

# renamed: the daemon sees it; enforcement never stops (fail closed)
ip -n "$NS_RTR" link set lan0 down
ip -n "$NS_RTR" link set lan0 name camlan
ip -n "$NS_RTR" link set camlan up
check "renamed: the daemon says so" \
	wait_for 5 grep -q "interface lan0 was renamed camlan: it stays enforced under the running policy until the next reload" "$CF_DIR/messages"
check "renamed: XDP still on the interface" bash -c "ip -n $NS_RTR -d link show camlan | grep -q prog/xdp"
check "renamed: the cloud host is still blocked" \
	fails quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 300
ip -n "$NS_RTR" link set camlan down
ip -n "$NS_RTR" link set camlan name lan0
ip -n "$NS_RTR" link set lan0 up
check "renamed back: a reload succeeds" quiet ctl reload
check "renamed back: the cloud host is blocked" \
	fails quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 300
check "renamed back: the NVR is reached" quiet cam "$CAMGEN" tcp --dst "$NVR_IP" --port 554 --timeout-ms 3000

exit "$CF_FAILED"
