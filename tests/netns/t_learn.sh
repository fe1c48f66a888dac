#!/usr/bin/env bash
# `allow to name`: a camera reaches what DNS told it, after the answer, not
# before it and not after its TTL; a second camera of the same group that
# never asked, an address no name of a rule answers for, and a forged
# answer from a resolver the camera may not ask teach nothing. Real DNS:
# Debian's dnsmasq in the internet namespace.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null || { echo "SKIP dnsmasq is not installed (scripts/deps.sh)"; exit 77; }

NS_CAM2=$CF_TAG-cam2
CAM2_MAC=02:00:00:00:10:05
CAM2_IP=192.168.10.205
VENDOR=203.0.113.10
HARDCODED=${CLOUD_IPS[1]}
FORGER=203.0.113.66
TTL=3
GRACE=10	# LEARNED_GRACE in daemon/camfenced_learned.c
DNSQ=$(dirname "$(readlink -f "$0")")/dnsq.py

down() {
	ip netns del "$NS_CAM2" 2>/dev/null || true
	sandbox_down
}
trap down EXIT
sandbox_up
ip -n "$NS_INET" addr add "$FORGER/32" dev lo

# a second camera on the same cable: its own MAC and address, the same group
ip netns add "$NS_CAM2"
ip -n "$NS_CAM" link add link cam0 name cam1 type macvlan mode bridge
ip -n "$NS_CAM" link set cam1 netns "$NS_CAM2"
ip -n "$NS_CAM2" link set cam1 address "$CAM2_MAC"
ip -n "$NS_CAM2" addr add "$CAM2_IP/24" dev cam1
ip -n "$NS_CAM2" link set lo up
ip -n "$NS_CAM2" link set cam1 up
ip -n "$NS_CAM2" route add default via "$RTR_LAN_IP"
cam2() { ip netns exec "$NS_CAM2" "$@"; }

inet dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--listen-address="$DNS_IP" --bind-interfaces --port 53 --local-ttl="$TTL" \
	--host-record="update.example-vendor.com,$VENDOR" \
	--cname="alias.example-vendor.com,update.example-vendor.com" \
	--host-record="tracker.example.org,$HARDCODED" \
	--log-facility="$CF_DIR/dnsmasq.log" --pid-file="$CF_DIR/dnsmasq.run" &
echo $! >"$CF_DIR/dnsmasq.pid"
wait_for 5 grep -q "started" "$CF_DIR/dnsmasq.log"

conf=$CF_DIR/camfence.conf
cat >"$conf" <<CONF
zone cameras {
	interface lan0
	unknown deny
}

# one group, one device id for both cameras: each learns for itself
group cams {
	ip 192.168.10.192/26
	policy cam
}

policy cam {
	allow to $DNS_IP udp 53
	allow to name *.example-vendor.com tcp 443
	default deny
}
CONF
syslog_up
daemon_up "$conf"

reaches() { "$@" "$CAMGEN" tcp --dst "$VENDOR" --port 443 --timeout-ms 300 >/dev/null; }
ask() { "$1" /usr/bin/python3 "$DNSQ" "$DNS_IP" "$2"; }
learned_json() { ctl learned --json | /usr/bin/python3 -c "$1"; }
counter() { ctl learned --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"; }

check "snooping the zone interface" test "$(ctl learned --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["snooping"])')" -eq 1
check "not told yet: the vendor's host is blocked" fails reaches cam

check "the camera asks and is answered" test "$(ask cam update.example-vendor.com)" = "$VENDOR"
answered=$(date +%s)
check "told: the camera reaches the host on the rule's port" wait_for 3 reaches cam
check "told: not on another port" fails quiet cam "$CAMGEN" tcp --dst "$VENDOR" --port 80 --timeout-ms 300
check "the other camera of the group, never told, stays blocked" fails reaches cam2
check "learned lists the camera, the address, the name and its TTL" learned_json "
import json,sys
l=json.load(sys.stdin)['learned']
assert len(l) == 1 and l[0]['mac'] == '$CAM_MAC' and l[0]['address'] == '$VENDOR', l
assert l[0]['names'][0]['name'] == 'update.example-vendor.com' and l[0]['names'][0]['ttl'] == $TTL, l"
check "learned (text) names the camera and the address" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl learned | grep -q '^$CAM_MAC $CAM_IP -> $VENDOR\$'"

check "devices --json: the camera's learned destination" bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl devices --json | /usr/bin/python3 -c 'import json,sys; d=[x for x in json.load(sys.stdin)[\"devices\"] if x[\"mac\"] == \"$CAM_MAC\"]; assert d and d[0][\"learned\"][0][\"address\"] == \"$VENDOR\", d'"
check "devices: the camera was told the name" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl devices | grep -q '^$CAM_MAC was told $VENDOR is update.example-vendor.com, [0-9]* s left\$'"
explain() { ctl -c "$conf" explain "$@" >"$CF_DIR/explain.out"; }
check "explain: what the camera was told, and that it is allowed" bash -c "
	$(declare -f ctl rtr explain); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL conf=$conf
	explain $CAM_IP $VENDOR tcp 443 &&
	grep -q '^told: $VENDOR is update.example-vendor.com (DNS answered it, [0-9]* s left)\$' $CF_DIR/explain.out &&
	grep -q '^verdict: allow' $CF_DIR/explain.out"
check "explain: the other camera was told nothing: denied" bash -c "
	$(declare -f ctl rtr explain); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL conf=$conf
	explain $CAM2_IP $VENDOR tcp 443; ! grep -q '^told:' $CF_DIR/explain.out && grep -q '^verdict: deny' $CF_DIR/explain.out"
check "explain --told: as if it had been told" bash -c "
	$(declare -f ctl rtr explain); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL conf=$conf
	explain --told cdn.example-vendor.com $CAM2_IP $VENDOR tcp 443 && grep -q '^told: $VENDOR is cdn.example-vendor.com (--told)\$' $CF_DIR/explain.out && grep -q '^verdict: allow' $CF_DIR/explain.out"

# an address for a name no rule names teaches nothing: a hard-coded IP stays blocked
check "a name no rule names is answered" test "$(ask cam tracker.example.org)" = "$HARDCODED"
check "its address stays blocked" fails quiet cam "$CAMGEN" tcp --dst "$HARDCODED" --port 443 --timeout-ms 300
check "counted as named by no rule" wait_for 3 bash -c "[ \"\$($(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl learned --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"][\"no_rule_names_it\"])')\" -ge 1 ]"

# a host the camera may not ask sends it an answer: not believed
inet /usr/bin/python3 "$DNSQ" "$VENDOR" update.example-vendor.com --forge "$CAM2_IP"
check "a forged answer is counted" wait_for 3 bash -c "[ \"\$($(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl learned --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"][\"resolver_not_allowed\"])')\" -ge 1 ]"
check "a forged answer teaches nothing" fails reaches cam2
check "a forged answer is logged" grep -q "DNS answer to $CAM2_MAC not believed: from a resolver the device may not ask" "$CF_DIR/messages"

# a reload keeps what was learned
ctl reload >/dev/null
check "reload: the camera still reaches the host" reaches cam

# the TTL runs out, counted from the answer
check "expired: blocked once the TTL and grace ran out" wait_for $((TTL + GRACE + 10)) fails reaches cam
took=$(($(date +%s) - answered))
check "expired: not before its TTL and grace ($took s after the answer)" test "$took" -ge $((TTL + GRACE - 1))
check "expired: learned is empty" learned_json "import json,sys; assert json.load(sys.stdin)['learned'] == []"

# an alias: the chain is followed, the name asked is what the rule judges
check "an alias is answered through its CNAME" test "$(ask cam alias.example-vendor.com)" = "$VENDOR"
check "alias: the camera reaches the host" wait_for 3 reaches cam
check "alias: learned under the name asked" learned_json "
import json,sys
l=json.load(sys.stdin)['learned']
assert [n['name'] for n in l[0]['names']] == ['alias.example-vendor.com'], l"

ctl stop >/dev/null
check "stops cleanly" wait_for 10 test ! -S "$CF_DIR/ctl.sock"
check "stop: the snooper's filter is gone" wait_for 5 bash -c "! ip netns exec $NS_RTR tc filter show dev lan0 egress | grep -q camfence"
exit "$CF_FAILED"
