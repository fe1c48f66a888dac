#!/usr/bin/env bash
# Sets that hold host names: camfenced resolves them through a real DNS
# server (Debian's dnsmasq, in the internet namespace) and allows what the
# name answers, not before the answer, not after its TTL and grace, and
# nothing else; a new answer comes in by itself, without a reload.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

command -v dnsmasq >/dev/null || { echo "SKIP dnsmasq is not installed (scripts/deps.sh)"; exit 77; }

HOST=update.example.com
FIRST=${CLOUD_IPS[0]}
SECOND=${CLOUD_IPS[1]}
TTL=3
GRACE=10	# CF_NAMES_GRACE in daemon/names.h
sandbox_up

# dns_up ADDRESS: dnsmasq answers $HOST with ADDRESS, TTL $TTL, and nothing else
dns_up() {
	ip netns exec "$NS_INET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$DNS_IP" --bind-interfaces --port 53 \
		--host-record="$HOST,$1" --local-ttl="$TTL" --log-queries \
		--log-facility="$CF_DIR/dnsmasq.log" --pid-file="$CF_DIR/dnsmasq.run" &
	echo $! >"$CF_DIR/dnsmasq.pid"
	wait_for 5 grep -q "started" "$CF_DIR/dnsmasq.log"
}
dns_down() {
	kill "$(cat "$CF_DIR/dnsmasq.pid")"
	wait_for 5 bash -c "! kill -0 $(cat "$CF_DIR/dnsmasq.pid")"
	rm -f "$CF_DIR/dnsmasq.pid" "$CF_DIR/dnsmasq.log"
}
reaches() { cam "$CAMGEN" tcp --dst "$1" --port "$2" --timeout-ms 300 >/dev/null; }
blocked() { ! reaches "$@"; }
lists() { ctl names | grep -qE "$1"; }
generation() { ctl status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }

conf=$CF_DIR/camfence.conf
cat >"$conf" <<CONF
zone cameras {
	interface lan0
	unknown deny
}

group cams {
	mac $CAM_MAC
	policy update-only
}

set vendor-update {
	resolve $HOST
}

policy update-only {
	allow to vendor-update tcp 443
	default deny
}
CONF
check "camfencectl check accepts a set of names" quiet "$CAMFENCECTL" check "$conf"

# wrong options are refused before anything starts
# refused_with MESSAGE OPTION...: camfenced exits non-zero at once, saying MESSAGE
refused_with() {
	local msg=$1
	shift
	! timeout 5 "$CAMFENCED" -f -c "$conf" $(daemon_args) "$@" >"$CF_DIR/refused.out" 2>&1 &&
		grep -qF -- "$msg" "$CF_DIR/refused.out"
}
check "--resolver: a name is refused" \
	refused_with "--resolver 'dns.example.org': 'dns.example.org' is not an IPv4 or IPv6 address" --resolver dns.example.org
check "--resolver: a port out of range is refused" \
	refused_with "port '70000' is not a number from 1 to 65535" --resolver "$DNS_IP:70000"
check "--resolver: an IPv6 address with a port takes brackets" \
	refused_with "expected [IPV6]:PORT" --resolver "[2001:db8::53"
check "--resolve-min-ttl: 0 is refused" \
	refused_with "--resolve-min-ttl '0': expected a whole number from 1" --resolve-min-ttl 0
check "--resolve-min-ttl: more than an hour is refused" \
	refused_with "--resolve-min-ttl '3601': at most 3600 seconds" --resolve-min-ttl 3601

# no DNS server yet: the name holds nothing, the set allows nothing
syslog_up
daemon_up "$conf" --resolver "$DNS_IP" --resolve-min-ttl 1
check "no answer yet: the failure is logged" \
	wait_for 5 grep -q "name $HOST (set vendor-update): cannot resolve: .*it holds no address" "$CF_DIR/messages"
check "no answer yet: the host the name will answer is blocked" blocked "$FIRST" 443
gen0=$(generation)

dns_up "$FIRST"
check "answered: camfenced asked the DNS server" wait_for 10 grep -q "query\[A\] $HOST from 198.51.100.1" "$CF_DIR/dnsmasq.log"
check "answered: it resolves again" wait_for 10 grep -q "name $HOST resolves again" "$CF_DIR/messages"
check "answered: a new generation, from the same file" \
	wait_for 5 grep -q "policy $conf compiled again for the addresses its names hold now" "$CF_DIR/messages"
check "answered: the generation rose" test "$(generation)" -gt "$gen0"
check "answered: the camera reaches the answered address on the allowed port" wait_for 5 reaches "$FIRST" 443
check "answered: not on another port" blocked "$FIRST" 80
check "answered: not another address" blocked "$SECOND" 443
check "names: the answered address, its TTL and set" \
	lists "^  $FIRST +TTL +$TTL s  kept +[0-9]+ s more$"
check "names --json: the name, its set and address" bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl names --json | /usr/bin/python3 -c 'import json,sys; n=json.load(sys.stdin)[\"names\"]; assert n[0][\"name\"] == \"$HOST\" and n[0][\"sets\"] == \"vendor-update\" and n[0][\"addresses\"][0][\"address\"] == \"$FIRST\" and n[0][\"error\"] is None, n'"

# a reload keeps what the name holds: no gap
ctl reload >/dev/null
check "reload: the answered address still passes at once" reaches "$FIRST" 443

# the name moves to another address: found at the next question, by itself
dns_down
dns_up "$SECOND"
check "moved: the new address passes without a reload" wait_for $((TTL + 10)) reaches "$SECOND" 443
moved=$(date +%s)
check "moved: the old address still passes while a device may hold the old answer" reaches "$FIRST" 443
check "moved: the old address is blocked once its TTL and grace ran out" \
	wait_for $((TTL + GRACE + 10)) blocked "$FIRST" 443
# its last answer came at most one TTL, and the backoff of the questions
# dnsmasq's restart failed, before the move: it lives the grace after that
took=$(($(date +%s) - moved))
check "moved: not long before its grace ran out ($took s)" test "$took" -ge $((GRACE - TTL - 3))

# the DNS server goes away: what was answered lives out its TTL, then nothing
dns_down
check "no server: the failure is logged, the addresses stay for now" \
	wait_for 10 grep -q "name $HOST (set vendor-update): cannot resolve: .*the addresses it had stay until their TTL runs out" "$CF_DIR/messages"
check "no server: fail closed once the TTL and grace ran out" \
	wait_for $((TTL + GRACE + 10)) blocked "$SECOND" 443
check "names: the failure and the empty name are shown" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl names | grep -q 'cannot resolve' && ctl names | grep -q 'no address: rules naming its sets match nothing of it'"
check "the daemon answers throughout" quiet ctl status
# generations that share a policy are freed once: a stop after rebinds and
# a reload must not trip glibc's heap checks
ctl stop >/dev/null
check "stops cleanly after generations shared a policy" wait_for 10 test ! -S "$CF_DIR/ctl.sock"
check "no heap error on the way out" bash -c "! grep -qiE 'free\(\)|corrupt|abort' '$CF_DIR/camfenced.out'"

exit "$CF_FAILED"
