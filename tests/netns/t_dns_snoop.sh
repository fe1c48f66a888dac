#!/usr/bin/env bash
# The DNS snooper (daemon/dns_snoop.c, bpf/camfence_dns.bpf.c) on the
# router's lan0, through dns_snoop_cat: a real answer from dnsmasq (in the
# internet namespace) to the camera's question is copied on its way out of
# lan0, byte for byte as the camera receives it, with the camera's MAC;
# attaching twice, or again after a snooper died, leaves one filter; closing
# removes it and nothing else; refusals say why.
#
#   camera ns                router ns                      internet ns
#   cam0 --- question --->   lan0 (in)   --- forwarded --->  dnsmasq 192.0.2.53
#   cam0 <--- answer -----   lan0 (out) [camfence_dns_tc] <--- answer
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

command -v dnsmasq >/dev/null || { echo "SKIP dnsmasq is not installed (scripts/deps.sh)"; exit 77; }
SNOOP=${DNS_SNOOP_CAT:-$CF_BUILD/dns_snoop_cat}
[ -x "$SNOOP" ] || { echo "FAIL $SNOOP not built (make)"; exit 1; }

HOST=cam-cloud.example.com
ANSWER=${CLOUD_IPS[0]}
PREF=53075		# CAMFENCE_DNS_TC_PRIORITY, as tc shows it
sandbox_up

ip netns exec "$NS_INET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
	--no-hosts --listen-address="$DNS_IP" --bind-interfaces --port 53 \
	--host-record="$HOST,$ANSWER" --local-ttl=60 \
	--log-facility="$CF_DIR/dnsmasq.log" --pid-file="$CF_DIR/dnsmasq.run" &
echo $! >"$CF_DIR/dnsmasq.pid"
wait_for 5 grep -q "started" "$CF_DIR/dnsmasq.log"

# ask SPORT: the camera asks for $HOST's A from port SPORT; prints the
# answer's length and bytes in hex
ask() {
	cam /usr/bin/python3 - "$HOST" "$DNS_IP" "$1" <<'PY'
import socket, struct, sys
name, server, sport = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = struct.pack(">HHHHHH", sport, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
q += struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", sport))
s.settimeout(3)
s.sendto(q, (server, 53))
a, _ = s.recvfrom(4096)
print(len(a), a.hex())
PY
}

# snoop_up NAME IFACE...: dns_snoop_cat on IFACE... in the router, its
# output in $CF_DIR/NAME.out; $prog_id is its program's id
snoop_up() {
	local name=$1
	shift
	# ip netns exec execs it: $! is dns_snoop_cat
	ip netns exec "$NS_RTR" "$SNOOP" "$@" >"$CF_DIR/$name.out" 2>"$CF_DIR/$name.err" &
	echo $! >"$CF_DIR/snoop-$name.pid"
	wait_for 10 grep -q '^ready' "$CF_DIR/$name.out" || {
		echo "dns_snoop_cat did not start:" >&2
		cat "$CF_DIR/$name.err" >&2
		return 1
	}
	prog_id=$(sed -n 's/^ready prog_id=//p' "$CF_DIR/$name.out")
}

# snoop_stop NAME SIGNAL: and wait until it is gone; its exit status
snoop_stop() {
	local pid rc=0
	pid=$(cat "$CF_DIR/snoop-$1.pid")
	kill -"$2" "$pid"
	wait "$pid" 2>/dev/null || rc=$?
	rm -f "$CF_DIR/snoop-$1.pid"
	return $rc
}

# the snooper filters on lan0's egress: "PROG_ID" per line
snoopers() {
	rtr tc filter show dev lan0 egress | sed -n "s/.* pref $PREF bpf .* id \([0-9]*\) name camfence_dns_tc .*/\1/p"
}
one_snooper() { [ "$(snoopers)" = "$1" ]; }
no_snooper() { ! rtr tc filter show dev lan0 egress | grep -q "pref $PREF"; }

# what the snooper must leave as it was: qdiscs, every other filter,
# addresses and link settings
lan0_state() {
	rtr tc qdisc show dev lan0
	rtr tc filter show dev lan0 ingress
	rtr tc filter show dev lan0 egress
	rtr ip -br addr show dev lan0
	rtr ip -br link show dev lan0
}

# copied NAME SPORT LEN HEX: NAME's output has the record of that answer
copied() {
	local ifindex
	ifindex=$(rtr cat /sys/class/net/lan0/ifindex)
	grep -qxF "dns ifindex=$ifindex vlan=0 dst_mac=$CAM_MAC src=$DNS_IP sport=53 dst=$CAM_IP dport=$2 len=$3 copied=$3 flags=0 msg=$4" \
		"$CF_DIR/$1.out"
}

# someone else's egress filters on lan0 before the snooper comes, one in
# front of its place and one behind: they stay, and the one behind still
# sees every packet (a copy of the snooper's program, loaded by tc, so its
# counters tell)
rtr tc qdisc add dev lan0 clsact
rtr tc filter add dev lan0 egress pref 7 bpf bytecode '1,6 0 0 0,'
rtr tc filter add dev lan0 egress pref 60000 bpf da obj "$CF_BUILD/camfence_dns.bpf.o" sec tc
behind=$(rtr tc filter show dev lan0 egress | sed -n 's/.* pref 60000 bpf .* id \([0-9]*\) .*/\1/p')
before=$(lan0_state)

# behind_copied: the responses the filter behind the snooper copied
behind_copied() {
	local m
	for m in $(bpftool prog show id "$behind" -j | /usr/bin/python3 -c 'import json,sys; print(*json.load(sys.stdin)["map_ids"])'); do
		bpftool map show id "$m" -j | grep -q '"name":"dns_counters"' || continue
		bpftool map dump id "$m" -j | /usr/bin/python3 -c 'import json,sys; print(sum(v["value"]["copied"] for v in json.load(sys.stdin)[0]["formatted"]["values"]))'
	done
}

snoop_up first lan0 lan0
first_id=$prog_id
check "attached twice in one process: one snooper filter on lan0 egress" one_snooper "$first_id"

read -r len hex < <(ask 40053)
check "the camera got dnsmasq's answer with $HOST's address" \
	grep -q "$(printf '%02x' ${ANSWER//./ })" <<<"$hex"
check "the answer left lan0 copied: the camera's MAC and address, the resolver, its port, every byte" \
	wait_for 5 copied first 40053 "$len" "$hex"
check "only the answer: the question entered lan0, it did not leave through it" \
	test "$(grep -c '^dns ' "$CF_DIR/first.out")" -eq 1
check "the filter behind the snooper saw the answer too" test "$(behind_copied)" = 1

# a snooper that dies without closing leaves its filter; the next one
# replaces it rather than adding a second
snoop_stop first KILL || true
check "a snooper killed leaves its filter" one_snooper "$first_id"
check "a snooper starts where a killed one left its filter" snoop_up second lan0
check "it replaced it: one snooper filter, the new program" one_snooper "$prog_id"
check "the new program is another" test "$prog_id" != "$first_id"
read -r len hex < <(ask 40054)
check "the new snooper copies the next answer" wait_for 5 copied second 40054 "$len" "$hex"

# one that starts while another still runs takes the place over; the one
# stopped late leaves the newcomer's filter alone
snoop_up third lan0
check "a third snooper beside the running one: one filter, the third's" one_snooper "$prog_id"
check "the second, stopped, exits 0" snoop_stop second TERM
check "its counters: one copied, nothing lost, cut or fragmented" \
	grep -qx 'counters copied=1 lost=0 fragments=0 truncated=0 malformed=0' "$CF_DIR/second.out"
check "the second's close left the third's filter" one_snooper "$prog_id"
check "the third, stopped, exits 0" snoop_stop third TERM
check "closed: no snooper filter on lan0" no_snooper
check "closed: lan0's qdiscs, the other filter, addresses and link as before" \
	test "$(lan0_state)" = "$before"

# refusals
refused() {
	local want=$1
	shift
	! rtr "$@" >"$CF_DIR/refused.out" 2>&1 && grep -qF -- "$want" "$CF_DIR/refused.out"
}
rtr tc filter add dev lan0 egress pref "$PREF" handle 0xcf53 bpf bytecode '1,6 0 0 0,'
taken=$(lan0_state)
check "another filter at the snooper's place is refused, named, and how to remove it" \
	refused "lan0 (ifindex $(rtr cat /sys/class/net/lan0/ifindex)): another filter, not a DNS snooper, holds egress pref $PREF handle 0xcf53: remove it (tc filter del dev lan0 egress pref $PREF handle 0xcf53 bpf) and start again" \
	"$SNOOP" lan0
check "... and left in place" test "$(lan0_state)" = "$taken"
rtr tc filter del dev lan0 egress pref "$PREF" handle 0xcf53 bpf
check "without privileges: not permitted, and what it needs" \
	refused "not permitted (needs CAP_BPF and CAP_NET_ADMIN, or root)" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$SNOOP" lan0
check "nothing attached by the refusals" test "$(lan0_state)" = "$before"

# the interface goes away under an attached snooper: it closes quietly
rtr ip link add tmp0 type veth peer name tmp1
snoop_up gone tmp0
rtr ip link del tmp0
check "an interface deleted while attached: the snooper still closes, exit 0" snoop_stop gone TERM
check "... with nothing to complain about" test ! -s "$CF_DIR/gone.err"

exit $((CF_FAILED > 0))
