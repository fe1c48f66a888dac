#!/usr/bin/env bash
# A zone interface deleted and created again is enforced again within a
# second, without a restart: camfenced follows links over rtnetlink.
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

exit "$CF_FAILED"
