#!/bin/sh
# Tests of camfence.ko, run by /init inside the VM (busybox sh, as root).
#
# Every result is one console line, "vmtest: PASS <what>" or
# "vmtest: FAIL <what>", details on "vmtest: # ..." lines; the last line is
# "vmtest: END". tests/vm/run.sh counts them on the host.
#
# Two copies of this topology, one created before the module is loaded and
# one after; the hooks are first watched with kprobes on their functions,
# then c1's traffic is judged by a policy pushed into r1:
#
#   c$i (camera)          r$i (router, forwards)          w$i (WAN, NVR)
#   cv$i 10.$i.1.2 ------ rc$i 10.$i.1.1   rw$i 10.$i.2.1 ------ wv$i 10.$i.2.2
#        fd00:$i:1::2          fd00:$i:1::1     fd00:$i:2::1          fd00:$i:2::2
#   cv1.7 10.1.7.2 ------ rc1.7 10.1.7.1 (VLAN 7)             wv1 also holds
#                                                             203.0.113.1 (denied)
#                                                             192.0.2.1 (the NVRs)
#                                                             2001:db8:bad::1 (denied)
#                                                             2001:db8:1::1 (the NVRs)
#
# The policy (r1, zone 0 = rc1; zone 1 = rc1's VLAN 7): the camera (cv1's
# MAC) is device 1 with policy 0: 203.0.113.0/24 and 2001:db8:bad::/48
# denied (rule 0), the NVR subnets allowed (rule 1) but for UDP port 9999
# (rule 2), everything else denied by default, `allow replies` on. VLAN 7
# is device 3, same policy. Unknown devices are dropped.

# shellcheck source=/dev/null # written by mkinitramfs.sh
. /vmtest.env
# shellcheck source=tests/vm/lib.sh
. /vmlib.sh

GENL=/usr/sbin/genl
CTL=/usr/bin/camfencectl
PROBE=/usr/bin/genl_probe
KO=/lib/modules/camfence.ko
TRACING=/sys/kernel/tracing

xdp_audit() {
	local out
	out=$("$CTL" audit --policy /etc/camfence/vm.conf /etc/camfence/vm.pcap 2>&1) || {
		echo "$out"
		return 1
	}
	echo "$out" | grep -q ': 2 frames: 1 passed, 1 blocked$' || { echo "$out"; return 1; }
}

# dns_snoop_copies: the DNS snooper (dns_snoop_cat, when the initramfs has
# it) loads on this kernel, attaches to a veth's clsact egress and copies
# three datagrams from port 53: untagged, and IPv4 and IPv6 through VLAN 9,
# whose tag rides beside the frame (skb->vlan_tci), not in it. genl_probe
# sends them.
#   dsr: dsr0 10.53.0.1, dsr0.9 10.53.9.1 fd00:53:9::1 ---- dsc: dsv, dsv.9 (.2, ::2)
SNOOP=/usr/bin/dns_snoop_cat
dns_snoop_copies() {
	"$IP" netns add dsr && "$IP" netns add dsc || return 1
	"$IP" link add dsv netns dsc type veth peer name dsr0 netns dsr || return 1
	n dsr "$IP" link add link dsr0 name dsr0.9 type vlan id 9 || return 1
	n dsc "$IP" link add link dsv name dsv.9 type vlan id 9 || return 1
	for spec in "dsr dsr0 1" "dsc dsv 2"; do
		# shellcheck disable=SC2086 # three words
		set -- $spec
		n "$1" "$IP" addr add "10.53.0.$3/24" dev "$2" || return 1
		n "$1" "$IP" addr add "10.53.9.$3/24" dev "$2.9" || return 1
		n "$1" "$IP" addr add "fd00:53:9::$3/64" dev "$2.9" nodad || return 1
		n "$1" "$IP" link set "$2" up && n "$1" "$IP" link set "$2.9" up || return 1
	done
	mac=$(n dsc cat /sys/class/net/dsv/address)
	n dsr "$SNOOP" --count 3 dsr0 >/tmp/dns_snoop.out 2>&1 &
	pid=$!
	i=0
	until grep -q '^ready' /tmp/dns_snoop.out; do
		i=$((i + 1))
		if [ "$i" -ge 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			cat /tmp/dns_snoop.out
			return 1
		fi
		sleep 0.1
	done
	n dsr "$PROBE" udp 10.53.0.2 40000 1 64 53 || return 1
	n dsr "$PROBE" udp 10.53.9.2 40001 1 64 53 || return 1
	n dsr "$PROBE" udp fd00:53:9::2 40002 1 64 53 || return 1
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { kill "$pid"; cat /tmp/dns_snoop.out; return 1; }
		sleep 0.1
	done
	"$IP" netns del dsr && "$IP" netns del dsc || return 1
	z=$(printf '%0128d' 0)
	for want in "vlan=0 dst_mac=$mac src=10.53.0.1 sport=53 dst=10.53.0.2 dport=40000" \
		"vlan=9 dst_mac=$mac src=10.53.9.1 sport=53 dst=10.53.9.2 dport=40001" \
		"vlan=9 dst_mac=$mac src=fd00:53:9::1 sport=53 dst=fd00:53:9::2 dport=40002" \
		; do
		grep -q "^dns ifindex=[0-9]* $want len=64 copied=64 flags=0 msg=$z\$" /tmp/dns_snoop.out ||
			{ echo "no record $want in:"; cat /tmp/dns_snoop.out; return 1; }
	done
	grep -qx 'counters copied=3 lost=0 fragments=0 truncated=0 malformed=0' /tmp/dns_snoop.out ||
		{ cat /tmp/dns_snoop.out; return 1; }
}

# check WHAT CMD...: PASS when CMD succeeds, else FAIL with its output.
check() {
	what=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$what"
	else
		fail "$what"
		info "$* -> $out"
	fi
}

ctl_reports_version() {
	out=$("$CTL" module 2>&1) || { echo "exit $?: $out"; return 1; }
	case $out in
	"camfence.ko $EXPECT_VERSION (genl api $EXPECT_API)") return 0 ;;
	esac
	echo "$out"
	return 1
}

ctl_reports_not_loaded() {
	if out=$("$CTL" module 2>&1); then
		echo "exit 0: $out"
		return 1
	fi
	case $out in
	*"camfence.ko is not loaded"*) return 0 ;;
	esac
	echo "$out"
	return 1
}

genl_lists_family() {
	out=$("$GENL" ctrl get name camfence 2>&1) || { echo "$out"; return 1; }
	echo "$out" | grep -q "Name: camfence" || { echo "$out"; return 1; }
}

genl_lacks_family() {
	! "$GENL" ctrl get name camfence >/dev/null 2>&1
}

# probe_answers ERRNO ARGS...: genl_probe ARGS ends with ERRNO, the errno the
# kernel acknowledged the request with; in namespace $PROBE_NS if set.
probe_answers() {
	want=$1
	shift
	if [ -n "${PROBE_NS:-}" ]; then
		out=$(n "$PROBE_NS" "$PROBE" "$@" 2>&1)
	else
		out=$("$PROBE" "$@" 2>&1)
	fi
	got=$(echo "$out" | tail -n 1)
	[ "$got" = "$want" ] || { echo "genl_probe $*: $out (expected $want)"; return 1; }
}

# probe_says ERRNO TEXT ARGS...: and its extack message contains TEXT.
probe_says() {
	want=$1 text=$2
	shift 2
	probe_answers "$want" "$@" || return 1
	echo "$out" | grep -qF "extack: $text" || { echo "genl_probe $*: $out (no \"$text\")"; return 1; }
}

sysfs_version() {
	[ "$(cat /sys/module/camfence/version 2>&1)" = "$EXPECT_VERSION" ]
}

topology_up() {
	i=$1
	for ns in "c$i" "r$i" "w$i"; do
		"$IP" netns add "$ns" || return 1
		n "$ns" "$IP" link set lo up || return 1
	done
	"$IP" link add "cv$i" netns "c$i" type veth peer name "rc$i" netns "r$i" || return 1
	"$IP" link add "wv$i" netns "w$i" type veth peer name "rw$i" netns "r$i" || return 1
	n "r$i" sysctl -qw net.ipv4.ip_forward=1 || return 1
	n "r$i" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	for spec in "c$i cv$i 1 2" "r$i rc$i 1 1" "r$i rw$i 2 1" "w$i wv$i 2 2"; do
		# shellcheck disable=SC2086 # four words
		set -- $spec
		n "$1" "$IP" addr add "10.$i.$3.$4/24" dev "$2" || return 1
		n "$1" "$IP" addr add "fd00:$i:$3::$4/64" dev "$2" nodad || return 1
		n "$1" "$IP" link set "$2" up || return 1
	done
	n "c$i" "$IP" route add default via "10.$i.1.1" || return 1
	n "c$i" "$IP" -6 route add default via "fd00:$i:1::1" || return 1
	n "w$i" "$IP" route add default via "10.$i.2.1" || return 1
	n "w$i" "$IP" -6 route add default via "fd00:$i:2::1" || return 1
}

# The far side of topology 1: denied and NVR networks behind w1, and
# VLAN 7 between the camera and the router.
topology_policy_up() {
	for a in 203.0.113.1/24 192.0.2.1/24; do
		n w1 "$IP" addr add "$a" dev wv1 || return 1
	done
	for a in 2001:db8:bad::1/64 2001:db8:1::1/64; do
		n w1 "$IP" addr add "$a" dev wv1 nodad || return 1
	done
	for r in 203.0.113.0/24 192.0.2.0/24 198.18.0.0/16; do
		n r1 "$IP" route add "$r" via 10.1.2.2 || return 1
	done
	for r in 2001:db8:bad::/64 2001:db8:1::/64; do
		n r1 "$IP" -6 route add "$r" via fd00:1:2::2 || return 1
	done
	n c1 "$IP" link add link cv1 name cv1.7 type vlan id 7 || return 1
	n r1 "$IP" link add link rc1 name rc1.7 type vlan id 7 || return 1
	n c1 "$IP" addr add 10.1.7.2/24 dev cv1.7 || return 1
	n r1 "$IP" addr add 10.1.7.1/24 dev rc1.7 || return 1
	n c1 "$IP" link set cv1.7 up || return 1
	n r1 "$IP" link set rc1.7 up || return 1
	n c1 "$IP" route add 203.0.113.77/32 via 10.1.7.1 dev cv1.7
}

kprobes_add() {
	[ -e "$TRACING/kprobe_events" ] || mount -t tracefs tracefs "$TRACING" || return 1
	echo "p:camfence_v4 camfence:ipv4_forward" >>"$TRACING/kprobe_events" || return 1
	echo "p:camfence_v6 camfence:ipv6_forward" >>"$TRACING/kprobe_events" || return 1
	echo 1 >"$TRACING/events/kprobes/enable"
}

kprobes_remove() {
	echo 0 >"$TRACING/events/kprobes/enable" &&
	echo >"$TRACING/kprobe_events"
}

hits() {
	awk -v p="$1" '$1 == p { print $2; found = 1 } END { if (!found) print 0 }' \
		"$TRACING/kprobe_profile"
}

# forwarded_through PROBE I PING-ARGS...: three echo requests and their
# replies cross r$I, so the hook behind PROBE must have run six times more.
forwarded_through() {
	probe=$1 i=$2
	shift 2
	before=$(hits "$probe")
	n "c$i" ping -q -c 3 -i 0.2 -W 5 "$@" || return 1
	after=$(hits "$probe")
	[ $((after - before)) -ge 6 ] || { echo "$probe: $before -> $after hits"; return 1; }
}

# ---- requests the module must refuse ------------------------------------

le32() {
	printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

zeros() {
	printf "%0$(($1 * 2))d" 0
}

# A macs key (prefix length, zone scope of slot 0, MAC, padding) and value.
MAC_KEY="$(le32 80)$(le32 0)020000000001$(zeros 2)"
DEV_VAL="$(le32 1)$(le32 0)"

refusals() {
	check "genl: unknown command 12 refused (EOPNOTSUPP)" probe_answers -95 12
	check "genl: command 0 refused (EOPNOTSUPP)" probe_answers -95 0
	check "genl: CMD_EVENT is no request (EOPNOTSUPP)" probe_answers -95 send event
	check "genl: GET_VERSION with CAMFENCE_A_API refused (EINVAL)" probe_answers -22 1 2
	check "genl: GET_VERSION with attribute 3 refused (EINVAL)" probe_answers -22 1 3
	check "genl: BEGIN without attributes: missing CAMFENCE_A_GENERATION (EINVAL)" \
		probe_says -22 "missing CAMFENCE_A_GENERATION" send begin
	check "genl: BEGIN without a slot: missing CAMFENCE_A_SLOT (EINVAL)" \
		probe_says -22 "missing CAMFENCE_A_SLOT" send begin gen:u64=1
	check "genl: BEGIN with a 4-byte generation refused (EINVAL)" \
		probe_answers -22 send begin gen:u32=1 slot:u32=0
	check "genl: BEGIN with slot 2 out of range (ERANGE)" \
		probe_answers -34 send begin gen:u64=1 slot:u32=2
	check "genl: BEGIN with a stray attribute refused (EINVAL)" \
		probe_answers -22 send begin gen:u64=1 slot:u32=0 entries:nest end
	check "genl: ADD without BEGIN (ENOENT)" \
		probe_says -2 "no policy staged" add 5 "policy,0=drop,log,0"
	check "genl: COMMIT without BEGIN (ENOENT)" probe_answers -2 commit 5
	check "genl: ABORT with nothing staged" probe_answers 0 abort
	check "genl: BEGIN generation 5" probe_answers 0 begin 5 0
	check "genl: ADD to generation 6 while 5 is staged (ESTALE)" \
		probe_says -116 "another generation is staged" add 6 "policy,0=drop,log,0"
	check "genl: ADD without entries: missing CAMFENCE_A_ENTRIES (EINVAL)" \
		probe_says -22 "missing CAMFENCE_A_ENTRIES" send add gen:u64=5
	check "genl: entry without a key (EINVAL)" \
		probe_says -22 "entry without its table, key or value" \
		send add gen:u64=5 entries:nest entry:nest table:u8=1 value:hex="$DEV_VAL" end end
	check "genl: unknown attribute in CAMFENCE_A_ENTRIES (EINVAL)" \
		probe_answers -22 send add gen:u64=5 entries:nest 7:u32=1 end
	check "genl: entry with a 2-byte table attribute (EINVAL)" \
		probe_answers -22 send add gen:u64=5 entries:nest entry:nest table:u16=1 \
		key:hex="$MAC_KEY" value:hex="$DEV_VAL" end end
	check "genl: unknown table 10 (EINVAL)" \
		probe_says -22 "unknown table" add 5 "raw,10,$MAC_KEY=$DEV_VAL"
	check "genl: macs key of 24 bytes, oversize for the table (EINVAL)" \
		probe_says -22 "macs: key is not the size" add 5 "raw,1,$MAC_KEY$(zeros 8)=$DEV_VAL"
	check "genl: macs key of 8 bytes, undersize (EINVAL)" \
		probe_says -22 "macs: key is not the size" add 5 "raw,1,$(le32 80)$(le32 0)=$DEV_VAL"
	check "genl: key of 40 bytes, beyond any table (ERANGE)" \
		probe_answers -34 add 5 "raw,1,$MAC_KEY$MAC_KEY$(zeros 8)=$DEV_VAL"
	check "genl: macs value of 4 bytes (EINVAL)" \
		probe_says -22 "macs: value is not the size" add 5 "raw,1,$MAC_KEY=$(le32 1)"
	check "genl: macs prefix length 32 + 49 (EINVAL)" \
		probe_says -22 "macs: prefix length" add 5 "mac,0,02:00:00:00:00:01/49=1,0"
	check "genl: macs prefix length 16, shorter than the scope (EINVAL)" \
		probe_says -22 "macs: prefix length" add 5 "raw,1,$(le32 16)$(le32 0)020000000001$(zeros 2)=$DEV_VAL"
	check "genl: policies key of slot 1 while slot 0 is staged (EINVAL)" \
		probe_says -22 "policies: key is for another slot" -s 1 add 5 "policy,0=drop,log,0"
	check "genl: src4 key of zone 300 (EINVAL)" \
		probe_says -22 "src4: key scope names an id out of range" add 5 "src4,300,10.0.0.0/8=1,0"
	check "genl: ifaces key with nonzero padding (EINVAL)" \
		probe_says -22 "ifaces: key padding is not zero" \
		add 5 "raw,0,$(le32 0)$(le32 5)ffff0100=$(le32 0)$(le32 4294967295)01000000"
	check "genl: ports decision with unknown flags (EOPNOTSUPP)" \
		probe_says -95 "ports: unknown flags" add 5 "port,0,any,0/0=drop,128,default"
	check "genl: policies default verdict 7 (EINVAL)" \
		probe_says -22 "policies: verdict neither" add 5 "policy,0=7,log,0"
	check "genl: policies with unknown policy flags (EOPNOTSUPP)" \
		probe_says -95 "policies: unknown flags" add 5 "policy,0=drop,log,4"
	# shellcheck disable=SC2046 # 65 records, one word each
	check "genl: 65 entries in one ADD (E2BIG)" \
		probe_says -7 "more than CAMFENCE_GENL_ENTRIES_MAX" add 5 \
		$(seq 1 65 | sed 's/.*/dst4,0,198.18.0.&\/32=1/')
	check "genl: a refused ADD stages nothing of its message" \
		probe_answers -22 add 5 "policy,0=drop,log,0" "policy,1=9,log,0"
	check "genl: ADD one record to generation 5" probe_answers 0 add 5 "policy,0=drop,log,0"
	check "genl: COMMIT generation 6 while 5 is staged (ESTALE)" probe_answers -116 commit 6
	check "genl: COMMIT generation 5" probe_answers 0 commit 5
	check "genl: POLICY_GET returns the one record of generation 5" policy_dump_is 5 0 1
	check "genl: BEGIN generation 5 again, not above the live one (ESTALE)" \
		probe_says -116 "generation not above" begin 5 0
	check "genl: BEGIN generation 4 (ESTALE)" probe_answers -116 begin 4 0
	check "genl: BEGIN 7, then BEGIN 8 replaces it" sh -c "$PROBE begin 7 1 >/dev/null && $PROBE begin 8 1 | grep -qx 0"
	check "genl: COMMIT of the replaced generation 7 (ESTALE)" probe_answers -116 commit 7
	check "genl: ABORT generation 8" probe_answers 0 abort
	check "genl: COMMIT after ABORT (ENOENT)" probe_answers -2 commit 8
	check "genl: 129 ifaces records, the table holds 128 (E2BIG)" table_overflows
	check "genl: the live policy survives every refusal" policy_dump_is 5 0 1
	check "genl: without CAP_NET_ADMIN: GET_VERSION answered" probe_answers 0 -U 1
	check "genl: without CAP_NET_ADMIN: POLICY_GET answered" probe_answers 0 -U dump
	check "genl: without CAP_NET_ADMIN: COUNTERS_GET answered" probe_answers 0 -U counters
	for req in "begin 9 0" "add 9 policy,0=drop,log,0" "commit 9" "abort" "reset"; do
		# shellcheck disable=SC2086 # the request's words
		check "genl: without CAP_NET_ADMIN: $req refused (EPERM)" probe_answers -1 -U $req
	done
	check "genl: without CAP_NET_ADMIN: joining \"events\" refused (EPERM)" \
		probe_answers -1 -U listen 1
}

# policy_dump_is GEN SLOT RECORDS [NS]: POLICY_GET of the namespace.
policy_dump_is() {
	if [ -n "${4:-}" ]; then
		out=$(n "$4" "$PROBE" dump 2>&1) || return 1
	else
		out=$("$PROBE" dump 2>&1) || return 1
	fi
	[ "$(echo "$out" | tail -n 1)" = 0 ] || { echo "$out"; return 1; }
	head=$(echo "$out" | grep '^generation' | sort -u)
	records=$(echo "$out" | grep -c '^entry')
	[ "$head" = "generation $1 slot $2" ] && [ "$records" = "$3" ] ||
		{ echo "$out" | tail -n 5; echo "got '$head', $records records"; return 1; }
}

table_overflows() {
	out=$(seq 1 129 | sed 's/.*/iface,&,any=0,none,drop/' | "$PROBE" push 20 0 - 2>&1)
	echo "$out" | grep -q "extack: ifaces: more records than the table holds" &&
	[ "$(echo "$out" | tail -n 1)" = -7 ] || { echo "$out"; return 1; }
}

# ---- a policy in r1, and c1's traffic through it ------------------------

GEN=0

# The policy's records; $1: the policy's flags (replies or 0), $2: the
# camera's MAC.
policy_records() {
	echo "iface,$RC1,any=0,none,drop"
	echo "iface,$RC1,7=1,none,drop"
	echo "mac,0,$2/48=1,0"
	echo "vlan,1,7=3,0"
	echo "policy,0=drop,log,$1"
	echo "dst4,0,0.0.0.0/0=0"
	echo "dst4,0,203.0.113.0/24=1"
	echo "dst4,0,192.0.2.0/24=2"
	echo "dst6,0,::/0=0"
	echo "dst6,0,2001:db8:bad::/48=1"
	echo "dst6,0,2001:db8:1::/64=2"
	echo "port,0,any,0/0=drop,log,default"
	echo "port,1,any,0/0=drop,log,0"
	echo "port,2,any,0/0=pass,0,1"
	echo "port,2,17,9999/16=drop,log,2"
}

# push_policy FLAGS [MAC] [SLOT]: generation $GEN into r1. (check runs
# its command in a subshell: the caller counts the generations.)
push_policy() {
	out=$(policy_records "$1" "${2:-$CAM}" | n r1 "$PROBE" push "$GEN" "${3:-$((GEN & 1))}" - 2>&1)
	[ "$(echo "$out" | tail -n 1)" = 0 ] || { echo "$out"; return 1; }
}

# reaches NS [PING-OPTIONS] DST, blocked NS [PING-OPTIONS] DST: one echo
# request from namespace NS is answered, or not.
reaches() {
	ns=$1
	shift
	n "$ns" ping -q -c 1 -W 2 "$@" >/dev/null 2>&1 || { echo "$ns cannot reach: $*"; return 1; }
}

blocked() {
	ns=$1
	shift
	! n "$ns" ping -q -c 1 -W 1 "$@" >/dev/null 2>&1 || { echo "$ns reaches: $*"; return 1; }
}

# positive KIND ID FIELD: that counter of r1 is above zero.
positive() {
	[ "$(counter "$@")" -gt 0 ] || { n r1 "$PROBE" counters; return 1; }
}

# counter KIND ID FIELD: from r1's COUNTERS_GET; "stat NAME" for stats.
# device fields: 3 pass_pkts 4 pass_bytes 5 drop_pkts 6 drop_bytes;
# rule fields: 3 pkts 4 bytes.
counter() {
	n r1 "$PROBE" counters 2>/dev/null |
		awk -v k="$1" -v id="$2" -v f="$3" '$1 == k && $2 == id { v = $f } END { print v + 0 }'
}

stat() {
	counter stat "$1" 3
}

# dropped_whole DST SIZE: one datagram of SIZE bytes in fragments, judged
# once and whole: the camera's drop count goes up by one, its bytes by
# SIZE at least.
dropped_whole() {
	pk=$(counter device 1 5) by=$(counter device 1 6)
	blocked c1 -s "$2" "$1" || return 1
	pk2=$(counter device 1 5) by2=$(counter device 1 6)
	[ $((pk2 - pk)) = 1 ] && [ $((by2 - by)) -ge "$2" ] ||
		{ echo "drops $pk -> $pk2, bytes $by -> $by2"; return 1; }
}

# A DHCP-shaped datagram (68 to 67) that the router routes on is no
# essential: the policy's default drops it, as the XDP program does when
# its FIB lookup says the router would route it.
dhcp_routed_dropped() {
	pk=$(counter device 1 5)
	n c1 "$PROBE" udp 10.1.2.2 67 1 16 68 || return 1
	pk2=$(counter device 1 5)
	[ $((pk2 - pk)) = 1 ] || { echo "drops $pk -> $pk2"; return 1; }
}

# rule_counts RULE CMD...: CMD makes rule RULE count one packet more.
rule_counts() {
	rule=$1
	shift
	before=$(counter rule "$rule" 3)
	"$@" >/dev/null 2>&1
	after=$(counter rule "$rule" 3)
	[ $((after - before)) -ge 1 ] || { echo "rule $rule: $before -> $after"; return 1; }
}

# A TCP connection the NVR side opens to the camera: the camera's answer
# is the reply direction of a connection, allowed by `allow replies`.
nvr_connects() {
	n c1 sh -c 'echo camera-here | timeout 8 nc -l -p 8000' >/dev/null 2>&1 &
	server=$!
	sleep 1
	got=$(n w1 timeout 5 nc -w 3 10.1.1.2 8000 </dev/null 2>&1)
	wait "$server"
	case $got in
	*camera-here*) ;;
	*) echo "got: $got"; return 1 ;;
	esac
}

# listen_for SECONDS N CMD...: events in r1 while CMD runs, until N came
# (0: any number) or SECONDS passed; the listener's output in /tmp/events.
listen_for() {
	secs=$1 count=$2
	shift 2
	n r1 "$PROBE" listen "$secs" "$count" >/tmp/events 2>&1 &
	listener=$!
	t=0
	until grep -q listening /tmp/events; do
		t=$((t + 1))
		[ $t -le 50 ] || { cat /tmp/events; return 1; }
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
	wait "$listener"
}

event_for_blocked_ping() {
	listen_for 10 2 n c1 ping -q -c 2 -W 1 203.0.113.1 || return 1
	grep -q "^events 2$" /tmp/events || { cat /tmp/events; return 1; }
	line=$(grep '^event ' /tmp/events | head -n 1)
	for want in "gen=$GEN " "if=$RC1 " "dev=1 " "policy=0 " "rule=0 " "mac=$CAM " "proto=1 " \
		"src=10.1.1.2 " "dst=203.0.113.1 " "verdict=1 " "reason=1"; do
		case "$line" in
		*"$want"*) ;;
		*) echo "no '$want' in: $line"; return 1 ;;
		esac
	done
}

# Many new blocked connections a second: at most the rate is sent, the
# rest is counted lost; the listener gets what was sent.
events_rate_limited() {
	ev=$(stat events) lost=$(stat events_lost)
	listen_for 4 0 n c1 "$PROBE" udp 203.0.113.1 4000 6000 || return 1
	got=$(awk '$1 == "events" { print $2 }' /tmp/events)
	ev2=$(stat events) lost2=$(stat events_lost)
	[ $((lost2 - lost)) -gt 0 ] && [ $((ev2 - ev)) -ge "$got" ] && [ "$got" -gt 0 ] ||
		{ echo "events $ev -> $ev2, lost $lost -> $lost2, received $got"; return 1; }
	# one second's burst, and what a few seconds of refill add at most
	[ $((ev2 - ev)) -le 8000 ] || { echo "$((ev2 - ev)) events sent"; return 1; }
}

# softnet CPU: packets CPU (0-based) has taken off its backlog, from
# /proc/net/softnet_stat (hex, one line a CPU).
softnet() {
	hex=$(awk -v cpu="$1" 'NR == cpu + 1 { print $1 }' /proc/net/softnet_stat)
	echo $((0x${hex:-0}))
}

# counted_on_every_cpu: ten blocked pings from each CPU in turn. A veth
# hands its packet to the receive backlog of the CPU that sent it, so each
# batch crosses the forward hook on its own CPU (softnet_stat shows it); the
# camera's drop count, summed over the module's per-CPU counters, goes up by
# ten for each.
counted_on_every_cpu() {
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	[ "$cpus" -ge 2 ] || { echo "$cpus CPU: run the VM with VM_SMP=2 or more"; return 1; }
	pk=$(counter device 1 5)
	cpu=0
	while [ "$cpu" -lt "$cpus" ]; do
		before=$(softnet "$cpu")
		n c1 taskset -c "$cpu" ping -q -c 10 -i 0.05 -W 1 203.0.113.1 >/dev/null 2>&1
		after=$(softnet "$cpu")
		[ $((after - before)) -ge 10 ] ||
			{ echo "CPU $cpu's backlog took $((after - before)) packets"; return 1; }
		cpu=$((cpu + 1))
	done
	pk2=$(counter device 1 5)
	[ $((pk2 - pk)) = $((10 * cpus)) ] ||
		{ echo "drops $pk -> $pk2 for $((10 * cpus)) pings on $cpus CPUs"; return 1; }
}

counters_show_drops() {
	out=$(n r1 "$PROBE" counters 2>&1)
	echo "$out" | grep -q "^generation $GEN$" || { echo "$out"; return 1; }
	[ "$(counter stat drop_pkts 3)" -gt 0 ] && [ "$(counter device 1 5)" -gt 0 ] &&
	[ "$(counter rule 0 3)" -gt 0 ] && [ "$(counter stat unmanaged 3)" -gt 0 ] ||
		{ echo "$out"; return 1; }
}

counters_reset() {
	out=$(n r1 "$PROBE" reset 2>&1)
	[ "$out" = 0 ] || { echo "$out"; return 1; }
	out=$(n r1 "$PROBE" counters 2>&1)
	[ "$(echo "$out" | grep -c '^device\|^rule')" = 0 ] &&
	[ "$(echo "$out" | awk '$1 == "stat" { s += $3 } END { print s + 0 }')" = 0 ] ||
		{ echo "$out"; return 1; }
}

# 1000 host routes more: dumped in parts, and each found by the lookup.
bulk_policy() {
	out=$({ policy_records replies "$CAM"; seq 0 999 |
		awk '{ printf "dst4,0,198.18.%d.%d/32=1\n", int($1 / 250), $1 % 250 }'; } |
		n r1 "$PROBE" push "$GEN" $((GEN & 1)) - 2>&1)
	[ "$(echo "$out" | tail -n 1)" = 0 ] || { echo "$out"; return 1; }
	policy_dump_is "$GEN" $((GEN & 1)) 1015 r1 || return 1
	rule_counts 0 n c1 ping -q -c 1 -W 1 198.18.3.249 || return 1
	before=$(counter rule 0 3)
	blocked c1 198.18.4.250 || return 1
	[ "$(counter rule 0 3)" = "$before" ] || { echo "198.18.4.250 matched rule 0"; return 1; }
}

traffic() {
	check "topology 1: denied and NVR networks, VLAN 7" topology_policy_up
	RC1=$(n r1 cat /sys/class/net/rc1/ifindex)
	CAM=$(n c1 cat /sys/class/net/cv1/address)
	info "rc1 is interface $RC1 in r1, the camera's MAC $CAM"
	GEN=1
	check "policy pushed into r1 (generation 1, slot 1)" push_policy replies
	check "POLICY_GET in r1: the 15 records of generation 1" policy_dump_is 1 1 15 r1
	check "policy: camera reaches the NVR subnet (IPv4)" reaches c1 192.0.2.1
	check "policy: camera reaches the NVR subnet (IPv6)" reaches c1 2001:db8:1::1
	check "policy: camera's ping to a denied network dropped (IPv4)" blocked c1 203.0.113.1
	check "policy: camera's ping to a denied network dropped (IPv6)" blocked c1 2001:db8:bad::1
	check "policy: camera's ping elsewhere dropped by default" blocked c1 10.1.2.2
	check "policy: DHCP-shaped UDP routed on is no essential, dropped by default" dhcp_routed_dropped
	check "policy: UDP to an NVR on port 9999 dropped by rule 2" \
		rule_counts 2 n c1 "$PROBE" udp 192.0.2.1 9999 1
	check "policy: UDP to an NVR on another port passed by rule 1" \
		rule_counts 1 n c1 "$PROBE" udp 192.0.2.1 5004 1
	check "policy: fragmented ping to an NVR reassembled and passed" reaches c1 -s 3000 192.0.2.1
	check "policy: fragmented ping to a denied network dropped whole (IPv4)" \
		dropped_whole 203.0.113.1 3000
	check "policy: fragmented ping to a denied network dropped whole (IPv6)" \
		dropped_whole 2001:db8:bad::1 3000
	check "policy: fragmented UDP to port 9999 judged whole by rule 2" \
		rule_counts 2 n c1 "$PROBE" udp 192.0.2.1 9999 1 4000
	check "allow replies: the WAN side pings the camera" reaches w1 10.1.1.2
	check "allow replies: a TCP connection from the NVR side answered" nvr_connects
	check "VLAN 7 (VLAN device on rc1): device 3 by VLAN, denied network dropped" \
		rule_counts 0 blocked c1 203.0.113.77
	check "VLAN 7: counted for device 3" positive device 3 5
	check "events: one per blocked connection, fields as the XDP program's" \
		event_for_blocked_ping
	check "events: rate-limited, the excess counted lost" events_rate_limited
	check "counters: drops on every CPU summed, ten pings each" counted_on_every_cpu
	check "COUNTERS_GET: drops of the camera, rule 0 and the stats" counters_show_drops
	check "COUNTERS_RESET zeroes them" counters_reset
	GEN=$((GEN + 1))
	check "policy without allow replies (generation $GEN)" push_policy 0
	check "no allow replies: the WAN side's ping unanswered" blocked w1 10.1.1.2
	GEN=$((GEN + 1))
	check "policy naming another MAC: the camera is an unknown device (generation $GEN)" \
		push_policy replies 02:00:00:00:00:99
	check "unknown device: even the NVR subnet dropped" blocked c1 192.0.2.1
	GEN=$((GEN + 1))
	check "policy restored (generation $GEN)" push_policy replies
	check "restored: camera reaches the NVR subnet again" reaches c1 192.0.2.1
	GEN=$((GEN + 1))
	check "1000 host routes: dumped in parts, each looked up (generation $GEN)" bulk_policy
}

# ---- learned destinations: name rules' tables, per device and address ---

PUSH=/usr/bin/kmod_push

# The camera's policy for these tests, compiled by the daemon's compiler:
# rule 0 allows the NVR subnet, rule 1 denies 203.0.113.0/24, rule 2 names
# a host (so the policy has CAMFENCE_POLICY_NAMES); /tmp/nonames.conf is
# the same without rule 2.
learned_policy() {
	cat >/tmp/learned.conf <<CONF
zone cams {
	interface rc1
	unknown deny
}
group cam {
	mac $CAM
	policy cam
}
policy cam {
	allow to 192.0.2.0/24
	deny to 203.0.113.0/24
	allow to name names.example udp 9
	default deny
}
CONF
	grep -v 'to name' /tmp/learned.conf >/tmp/nonames.conf
}

# Hand-built name rules: port table 1000 is rule 2's (UDP 5353, ping,
# ping6), table 1001 rule 0's (UDP 5353; a name rule listed before the deny).
L_PORTS="port,1000,17,5353/16=pass,0,2 port,1000,1,0/0=pass,0,2 port,1000,58,0/0=pass,0,2
port,1001,17,5353/16=pass,0,0"

# learned_records: what the camera learned; .9 was learned by another
# device, not the camera.
learned_records() {
	echo "learned,1,$CAM,198.51.100.7=1000"
	echo "learned,1,$CAM,198.51.100.8=1001,1000"
	echo "learned,1,$CAM,203.0.113.9=1000"
	echo "learned,1,$CAM,203.0.113.1=1001"
	echo "learned,1,$CAM,2001:db8:77::7=1000"
	echo "learned,1,02:00:00:00:00:77,198.51.100.9=1000"
}

learned_up() {
	for a in 198.51.100.7/32 198.51.100.8/32 198.51.100.9/32 203.0.113.9/32; do
		n w1 "$IP" addr add "$a" dev wv1 || return 1
	done
	n w1 "$IP" addr add 2001:db8:77::7/128 dev wv1 nodad &&
	n r1 "$IP" route add 198.51.100.0/24 via 10.1.2.2 &&
	n r1 "$IP" -6 route add 2001:db8:77::/64 via fd00:1:2::2
}

learned_down() {
	for a in 198.51.100.7/32 198.51.100.8/32 198.51.100.9/32 203.0.113.9/32; do
		n w1 "$IP" addr del "$a" dev wv1
	done
	n w1 "$IP" addr del 2001:db8:77::7/128 dev wv1
	n r1 "$IP" route del 198.51.100.0/24 via 10.1.2.2
	n r1 "$IP" -6 route del 2001:db8:77::/64 via fd00:1:2::2
}

# learned_push [RECORDS...]: the policy file ($CONF, default
# /tmp/learned.conf) and RECORDS as generation $GEN, read back the same by
# kmod_push.
learned_push() {
	out=$(n r1 "$PUSH" push "${CONF:-/tmp/learned.conf}" "$GEN" "$@" 2>&1)
	case $out in
	*"live generation $GEN records "*" same"*) ;;
	*) echo "$out"; return 1 ;;
	esac
}

# learned_list N LINE...: POLICY_GET through the client holds N learned
# records, these among them.
learned_list() {
	want=$1
	shift
	out=$(n r1 "$PUSH" learned 2>&1)
	echo "$out" | grep -qx "generation $GEN learned $want" || { echo "$out"; return 1; }
	for line in "$@"; do
		echo "$out" | grep -qxF "$line" || { echo "no '$line' in:"; echo "$out"; return 1; }
	done
}

# udp_judged pass|drop RULE|- DST PORT: one datagram from the camera to
# DST:PORT is passed or dropped by camfence.ko, counted for RULE.
udp_judged() {
	want=$1 rule=$2
	p=$(counter device 1 3) d=$(counter device 1 5) r=$(counter rule "$rule" 3)
	n c1 "$PROBE" udp "$3" "$4" 1 >/dev/null 2>&1
	p2=$(counter device 1 3) d2=$(counter device 1 5) r2=$(counter rule "$rule" 3)
	if [ "$want" = pass ]; then
		[ $((p2 - p)) = 1 ] && [ "$d2" = "$d" ]
	else
		[ $((d2 - d)) = 1 ] && [ "$p2" = "$p" ]
	fi && { [ "$rule" = - ] || [ $((r2 - r)) = 1 ]; } ||
		{ echo "pass $p -> $p2, drop $d -> $d2, rule $rule $r -> $r2"; return 1; }
}

# learned_update RESULT set|del GEN RECORD: the client's LEARNED_SET or
# LEARNED_DEL is answered with RESULT.
learned_update() {
	want=$1
	out=$(n r1 "$PUSH" "learned-$2" "$3" "$4" 2>&1)
	[ "$out" = "result $want" ] || { echo "learned-$2 $3 $4: $out (expected $want)"; return 1; }
}

le16() {
	printf '%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255))
}

# lkey SLOT DEVICE FAMILY ADDRHEX, lval N T0 T1 T2 T3: raw learned records
lkey() {
	echo "$(le32 "$1")$(le32 "$2")$(echo "$CAM" | tr -d :)$(le16 "$3")$4"
}

lval() {
	echo "$(le32 "$1")$(le32 "$2")$(le32 "$3")$(le32 "$4")$(le32 "$5")"
}

# r1_says ERRNO TEXT ARGS...: probe_says in r1; probe_answers when TEXT
# is empty (the kernel's own refusals, or none, say nothing of ours).
r1_says() {
	PROBE_NS=r1
	if [ -z "$2" ]; then
		want=$1
		shift 2
		probe_answers "$want" "$@"
	else
		probe_says "$@"
	fi
}

# w1_says ERRNO TEXT ARGS...: probe_says in w1, which has no policy.
w1_says() {
	PROBE_NS=w1
	probe_says "$@"
}

# Each malformed LEARNED_SET or LEARNED_DEL refused with its message, the
# learned records untouched by them all.
learned_refusals() {
	s=$((GEN & 1)) o=$((1 - (GEN & 1)))
	a4="c6336463$(zeros 12)"
	key=$(lkey "$s" 1 2 "$a4") val=$(lval 1 1000 0 0 0)
	before=$(n r1 "$PUSH" learned 2>&1)
	check "learned: a raw record, well formed, is taken (the baseline of the refusals)" \
		r1_says 0 "" -s "$s" learned-set "$GEN" "raw,9,$key=$val"
	check "learned: ... and deleted" r1_says 0 "" -s "$s" learned-del "$GEN" "raw,9,$key=$val"
	check "learned: key of 28 bytes (EINVAL)" r1_says -22 "learned: key is not the size" \
		learned-set "$GEN" "raw,9,$(lkey "$s" 1 2 "c6336463$(zeros 8)")=$val"
	check "learned: key of 36 bytes, longer than the struct (ERANGE)" \
		r1_says -34 "" learned-set "$GEN" "raw,9,$key$(zeros 4)=$val"
	check "learned: value of 16 bytes (EINVAL)" r1_says -22 "learned: value is not the size" \
		learned-set "$GEN" "raw,9,$key=$(le32 1)$(le32 1000)$(zeros 8)"
	check "learned: value of 24 bytes, longer than the struct (ERANGE)" \
		r1_says -34 "" learned-set "$GEN" "raw,9,$key=$val$(zeros 4)"
	check "learned: n = 0 (EINVAL)" r1_says -22 "learned: n not from 1 to CAMFENCE_LEARNED_RULES" \
		learned-set "$GEN" "raw,9,$key=$(lval 0 0 0 0 0)"
	check "learned: n = 5 (EINVAL)" r1_says -22 "learned: n not from 1 to CAMFENCE_LEARNED_RULES" \
		learned-set "$GEN" "raw,9,$key=$(lval 5 1000 1000 1000 1000)"
	check "learned: a table id past n not zero (EINVAL)" \
		r1_says -22 "learned: table ids past n are not zero" \
		learned-set "$GEN" "raw,9,$key=$(lval 1 1000 1001 0 0)"
	check "learned: a port table the live policy does not have (EINVAL)" \
		r1_says -22 "learned: names a port table the policy does not have" \
		learned-set "$GEN" "raw,9,$key=$(lval 2 1000 77 0 0)"
	check "learned: port table id above 2^31 - 1 (EINVAL)" \
		r1_says -22 "learned: port table id above 2^31 - 1" \
		learned-set "$GEN" "raw,9,$key=$(lval 1 4294967295 0 0 0)"
	check "learned: device id 0 (EINVAL)" r1_says -22 "learned: device id 0" \
		learned-set "$GEN" "raw,9,$(lkey "$s" 0 2 "$a4")=$val"
	check "learned: family 3 (EINVAL)" r1_says -22 "learned: family neither AF_INET nor AF_INET6" \
		learned-set "$GEN" "raw,9,$(lkey "$s" 1 3 "$a4")=$val"
	check "learned: IPv4 address with a fifth byte (EINVAL)" \
		r1_says -22 "learned: IPv4 address with nonzero bytes past the fourth" \
		learned-set "$GEN" "raw,9,$(lkey "$s" 1 2 "c633646301$(zeros 11)")=$val"
	check "learned: key of the other slot (EINVAL)" \
		r1_says -22 "learned: key is for another slot" \
		learned-set "$GEN" "raw,9,$(lkey "$o" 1 2 "$a4")=$val"
	check "learned: LEARNED_SET without a key (EINVAL)" \
		r1_says -22 "missing CAMFENCE_A_LEARNED_KEY" send learned-set gen:u64="$GEN" lvalue:hex="$val"
	check "learned: LEARNED_SET without a value (EINVAL)" \
		r1_says -22 "missing CAMFENCE_A_LEARNED_VALUE" send learned-set gen:u64="$GEN" lkey:hex="$key"
	check "learned: LEARNED_SET without a generation (EINVAL)" \
		r1_says -22 "missing CAMFENCE_A_GENERATION" send learned-set lkey:hex="$key" lvalue:hex="$val"
	check "learned: LEARNED_SET with a stray attribute (EINVAL)" \
		r1_says -22 "" send learned-set gen:u64="$GEN" lkey:hex="$key" lvalue:hex="$val" slot:u32=0
	check "learned: LEARNED_DEL with a value, which it does not take (EINVAL)" \
		r1_says -22 "" send learned-del gen:u64="$GEN" lkey:hex="$key" lvalue:hex="$val"
	check "learned: LEARNED_SET for generation $((GEN - 1)), not the live one (ESTALE)" \
		r1_says -116 "generation is not the live policy's" learned-set $((GEN - 1)) "raw,9,$key=$val"
	check "learned: LEARNED_DEL for generation $((GEN + 1)) (ESTALE)" \
		r1_says -116 "generation is not the live policy's" learned-del $((GEN + 1)) "raw,9,$key=$val"
	check "learned: LEARNED_DEL of a key never set (ENOENT)" \
		r1_says -2 "learned: no record of this key" learned-del "$GEN" "raw,9,$key=$val"
	check "learned: LEARNED_DEL of a key of 31 bytes (EINVAL)" \
		r1_says -22 "learned: key is not the size" learned-del "$GEN" "raw,9,$(echo "$key" | cut -c 3-)=$val"
	check "learned: LEARNED_SET where no policy is live (ENOENT)" \
		w1_says -2 "no policy is live" learned-set 1 "raw,9,$key=$val"
	check "learned: LEARNED_SET without CAP_NET_ADMIN (EPERM)" \
		r1_says -1 "" -U learned-set "$GEN" "raw,9,$key=$val"
	check "learned: LEARNED_DEL without CAP_NET_ADMIN (EPERM)" \
		r1_says -1 "" -U learned-del "$GEN" "raw,9,$key=$val"
	after=$(n r1 "$PUSH" learned 2>&1)
	check "learned: the records survive every refusal" [ "$before" = "$after" ]
}

# learned_churn: the camera pings a learned address while its record is
# replaced and deleted 100 times over: packets and updates meet under RCU.
# Every update is answered 0, the pings are passed while the record is
# there and dropped while it is not (both counts move), and the record set
# last is what decides.
learned_churn() {
	s=$((GEN & 1)) rec="learned,1,$CAM,198.51.100.8"
	p=$(counter device 1 3) d=$(counter device 1 5)
	n c1 ping -q -c 400 -i 0.01 -W 1 198.51.100.8 >/dev/null 2>&1 &
	pinger=$!
	i=0
	while [ $i -lt 100 ]; do
		out=$(n r1 "$PROBE" -s "$s" learned-set "$GEN" "$rec=1000" 2>&1)
		[ "$out" = 0 ] || { echo "set $i: $out"; break; }
		out=$(n r1 "$PROBE" -s "$s" learned-del "$GEN" "$rec=1000" 2>&1)
		[ "$out" = 0 ] || { echo "del $i: $out"; break; }
		i=$((i + 1))
	done
	kill "$pinger" 2>/dev/null
	wait "$pinger"
	[ $i = 100 ] || return 1
	p2=$(counter device 1 3) d2=$(counter device 1 5)
	[ "$p2" -gt "$p" ] && [ "$d2" -gt "$d" ] ||
		{ echo "pings passed $p -> $p2, dropped $d -> $d2"; return 1; }
	out=$(n r1 "$PROBE" -s "$s" learned-set "$GEN" "$rec=1001,1000" 2>&1)
	[ "$out" = 0 ] || { echo "set again: $out"; return 1; }
	reaches c1 198.51.100.8 && learned_list 6 "learned 1 $CAM 198.51.100.8 1001,1000"
}

# A policy whose learned record names a table it lacks: COMMIT refuses it,
# the live policy stays.
learned_commit_refused() {
	out=$(n r1 "$PROBE" push $((GEN + 1)) $(((GEN + 1) & 1)) "port,0,any,0/0=pass,0,0" \
		"learned,1,$CAM,198.51.100.7=1000" 2>&1)
	echo "$out" | grep -q "extack: learned: names a port table the policy does not have" &&
	[ "$(echo "$out" | tail -n 1)" = -22 ] || { echo "$out"; return 1; }
	[ "$(live_generation)" = "$GEN" ] || { echo "live generation $(live_generation)"; return 1; }
}

# CAMFENCE_MAX_LEARNED records in a policy of a scratch namespace: one more
# is refused, an update of one there is not; a policy of one more does not
# stage.
learned_full() {
	"$IP" netns add lfull || return 1
	PROBE_NS=lfull
	learned_many() {
		seq 0 $(($1 - 1)) | awk -v mac="$CAM" \
			'{ printf "learned,1,%s,10.%d.%d.%d=0\n", mac, int($1 / 65536), int($1 / 256) % 256, $1 % 256 }'
	}
	out=$({ echo "port,0,any,0/0=pass,0,0"; learned_many 65536; } | n lfull "$PROBE" push 1 1 - 2>&1)
	r=1
	if [ "$(echo "$out" | tail -n 1)" != 0 ]; then
		echo "push of 65536: $out"
	elif ! probe_says -7 "learned: more records than the table holds" \
		-s 1 learned-set 1 "learned,1,$CAM,10.1.0.0=0"; then
		:
	elif ! probe_answers 0 -s 1 learned-set 1 "learned,1,$CAM,10.0.255.255=0,0"; then
		:
	else
		out=$({ echo "port,0,any,0/0=pass,0,0"; learned_many 65537; } |
			n lfull "$PROBE" push 2 0 - 2>&1)
		echo "$out" | grep -q "extack: learned: more records than the table holds" &&
		[ "$(echo "$out" | tail -n 1)" = -7 ] && r=0 || echo "push of 65537: $out"
	fi
	"$IP" netns del lfull
	return $r
}

learned_destinations() {
	if [ ! -x "$PUSH" ]; then
		info "no kmod_push in the initramfs: learned destinations not tested"
		return
	fi
	learned_policy
	check "learned: addresses behind w1 for the names" learned_up
	GEN=$((GEN + 1))
	# shellcheck disable=SC2046,SC2086 # one record a word
	check "learned: policy file plus name rules' tables and 6 learned records pushed by kmod_push, read back the same (generation $GEN)" \
		learned_push $L_PORTS $(learned_records)
	check "learned: POLICY_GET returns the 6 records as pushed" learned_list 6 \
		"learned 1 $CAM 198.51.100.7 1000" "learned 1 $CAM 198.51.100.8 1001,1000" \
		"learned 1 $CAM 2001:db8:77::7 1000" "learned 1 02:00:00:00:00:77 198.51.100.9 1000"
	check "learned: the camera reaches its learned address (ping, the name rule's table)" \
		reaches c1 198.51.100.7
	check "learned: UDP to the learned address on the rule's port passed by rule 2" \
		udp_judged pass 2 198.51.100.7 5353
	check "learned: UDP to the learned address on another port dropped by default" \
		udp_judged drop - 198.51.100.7 5354
	check "learned: two tables: UDP 5353 decided by the first (rule 0)" \
		udp_judged pass 0 198.51.100.8 5353
	check "learned: two tables: ping decided by the second" reaches c1 198.51.100.8
	check "learned: IPv6: the camera reaches its learned address" reaches c1 2001:db8:77::7
	check "learned: an earlier deny rule beats a later name rule (rule 1 drops)" \
		udp_judged drop 1 203.0.113.9 5353
	check "learned: an earlier name rule beats a later deny rule (rule 0 passes)" \
		udp_judged pass 0 203.0.113.1 5353
	check "learned: an address another device learned stays blocked for the camera" \
		blocked c1 198.51.100.9
	check "learned: LEARNED_DEL through the client" \
		learned_update 0 del "$GEN" "learned,1,$CAM,198.51.100.7=1000"
	check "learned: deleted: the ping is dropped" blocked c1 198.51.100.7
	check "learned: deleted: UDP on the rule's port dropped by default" \
		udp_judged drop - 198.51.100.7 5353
	check "learned: POLICY_GET no longer returns it" learned_list 5
	check "learned: LEARNED_DEL of it again (ENOENT)" \
		learned_update -2 del "$GEN" "learned,1,$CAM,198.51.100.7=1000"
	check "learned: LEARNED_SET for generation $((GEN - 1)) through the client (ESTALE)" \
		learned_update -116 set $((GEN - 1)) "learned,1,$CAM,198.51.100.7=1000"
	check "learned: ... changed nothing: still dropped" blocked c1 198.51.100.7
	check "learned: ... changed nothing: still 5 records" learned_list 5
	check "learned: LEARNED_SET through the client" \
		learned_update 0 set "$GEN" "learned,1,$CAM,198.51.100.7=1000"
	check "learned: set again: the camera reaches it" reaches c1 198.51.100.7
	check "learned: POLICY_GET returns what was set" learned_list 6 "learned 1 $CAM 198.51.100.7 1000"
	check "learned: LEARNED_SET replaces the value (table 1001 alone)" \
		learned_update 0 set "$GEN" "learned,1,$CAM,198.51.100.7=1001"
	check "learned: replaced: ping dropped" blocked c1 198.51.100.7
	check "learned: replaced: UDP 5353 passed by rule 0" udp_judged pass 0 198.51.100.7 5353
	check "learned: POLICY_GET returns the new value" learned_list 6 "learned 1 $CAM 198.51.100.7 1001"
	check "learned: 100 replacements and deletions while the camera pings the address" \
		learned_churn
	learned_refusals
	check "learned: COMMIT of a learned record naming a table the policy lacks refused (EINVAL)" \
		learned_commit_refused
	GEN=$((GEN + 1))
	check "learned: a new generation without the records (generation $GEN)" learned_push
	check "learned: new generation: the learned address is dropped again" blocked c1 198.51.100.8
	check "learned: new generation: UDP on the rule's port dropped" \
		udp_judged drop - 198.51.100.7 5353
	check "learned: new generation: POLICY_GET returns no learned record" learned_list 0
	check "learned: LEARNED_SET naming the old generation's table (EINVAL)" \
		r1_says -22 "learned: names a port table the policy does not have" \
		-s $((GEN & 1)) learned-set "$GEN" "learned,1,$CAM,198.51.100.7=1000"
	GEN=$((GEN + 1))
	CONF=/tmp/nonames.conf
	# shellcheck disable=SC2046,SC2086 # one record a word
	check "learned: a policy without name rules, the same tables and records (generation $GEN)" \
		learned_push $L_PORTS $(learned_records)
	CONF=
	check "learned: without name rules the policy looks nothing learned up, as XDP" \
		blocked c1 198.51.100.7
	check "learned: CAMFENCE_MAX_LEARNED records, one more refused (E2BIG), in a policy or alone" \
		learned_full
	monitor_mode
	learned_down
}

# `mode monitor` in the module as in XDP: what the camera's policy denies
# passes (WOULD_DROP, counted as passed), then one push enforces it again.
monitor_mode() {
	sed 's/^\tpolicy cam$/\tpolicy cam\n\tmode monitor/' /tmp/nonames.conf >/tmp/monitor.conf
	GEN=$((GEN + 1))
	CONF=/tmp/monitor.conf
	check "monitor: the camera's group in mode monitor pushed (generation $GEN)" learned_push
	CONF=
	check "monitor: the denied network is reached, nothing dropped" reaches c1 203.0.113.9
	check "monitor: UDP denied by rule 1 passes, counted by the rule" \
		udp_judged pass 1 203.0.113.9 5353
	GEN=$((GEN + 1))
	CONF=/tmp/nonames.conf
	check "monitor: enforce again (generation $GEN)" learned_push
	CONF=
	check "monitor: enforced, the denied network is blocked" blocked c1 203.0.113.9
}

# ---- camfenced pushing its compiled policy -------------------------------

DAEMON=/usr/sbin/camfenced

# camfenced --no-xdp in r1 with a policy file much like the hand-made one:
# the records its compiler makes, through its libnl client.
daemon_start() {
	cat >/tmp/kmod.conf <<CONF
zone cams {
	interface rc1
	unknown deny
}
group cam {
	mac $CAM
	policy cam
}
policy cam {
	allow to 192.0.2.0/24
	allow to 2001:db8:1::/64
	deny to 203.0.113.0/24
	allow replies
	default deny
}
CONF
	n r1 "$DAEMON" --no-xdp -f -c /tmp/kmod.conf -s /run/camfenced-r1.sock \
		-p /run/camfenced-r1.pid --pin-dir none </dev/null >/tmp/camfenced.log 2>&1 &
}

# Started outside check: its command substitution would wait for the
# daemon's end.
daemon_pushed() {
	t=0
	until [ "$(live_generation)" = $((GEN + 1)) ]; do
		t=$((t + 1))
		[ $t -le 100 ] || { cat /tmp/camfenced.log; n r1 "$PROBE" dump | head -n 3; return 1; }
		sleep 0.1
	done
}

live_generation() {
	n r1 timeout 5 "$PROBE" dump 2>/dev/null | awk '$1 == "generation" { print $2; exit }'
}

# Stopped, not detached: the module keeps enforcing (fail closed).
daemon_down() {
	pid=$(cat /run/camfenced-r1.pid) && kill "$pid" || return 1
	t=0
	while kill -0 "$pid" 2>/dev/null; do
		t=$((t + 1))
		[ $t -le 50 ] || { echo "camfenced still running"; return 1; }
		sleep 0.1
	done
	[ "$(live_generation)" = $((GEN + 1)) ] || { echo "live generation $(live_generation)"; return 1; }
}

with_daemon() {
	if [ ! -x "$DAEMON" ]; then
		info "no camfenced in the initramfs: its push is not tested"
		return
	fi
	daemon_start
	check "camfenced --no-xdp pushes its compiled policy into r1's camfence.ko" daemon_pushed
	check "camfenced's policy: camera reaches the NVR subnet" reaches c1 192.0.2.1
	check "camfenced's policy: ... and over IPv6" reaches c1 2001:db8:1::1
	check "camfenced's policy: camera's ping to a denied network dropped" blocked c1 203.0.113.1
	check "camfenced's policy: camera's ping elsewhere dropped by default" blocked c1 10.1.2.2
	check "camfenced's policy: allow replies, the WAN side pings the camera" reaches w1 10.1.1.2
	check "camfenced stopped: camfence.ko keeps its policy" daemon_down
}

# ---- the same random packets through all three ---------------------------

DIFF=/usr/bin/differential

# Zones by VLAN, groups by MAC and by VLAN, rules with ports over IPv4 and
# IPv6 prefixes, strangers denied; every prefix is routed through w1.
differential_policy() {
	cat >/tmp/differential.conf <<CONF
zone cams {
	interface rc1
	unknown deny
}
zone cctv {
	interface rc1
	vlan 7
	unknown policy quarantine
}
group cam {
	mac $CAM
	policy cam
}
group lobby {
	mac 02:00:00:00:00:22
	policy open
}
group vlan-cams {
	vlan 7
	zone cctv
	policy cam
}
policy cam {
	allow to 192.0.2.0/24 tcp 554,8000-8010
	deny to 192.0.2.128/25
	allow to 192.0.2.0/24 udp 5004
	allow to 2001:db8:1:0:8000::/65 udp 9999
	allow to 2001:db8:1::/64 tcp
	allow to 198.51.100.0/24 udp 123
	deny to 203.0.113.0/24
	allow to 2001:db8:20::/48 tcp 443
	allow replies
	default deny
}
policy open {
	deny to 203.0.113.0/24 tcp 23
	deny to 2001:db8:bad::/48
	default allow
}
policy quarantine {
	allow to 192.0.2.53 udp 53
	default deny
}
CONF
}

differential_routes() {
	n r1 "$IP" route "$1" 198.51.100.0/24 via 10.1.2.2 &&
	n r1 "$IP" -6 route "$1" 2001:db8::/32 via fd00:1:2::2
}

differential() {
	if [ ! -x "$DIFF" ]; then
		info "no differential in the initramfs: reference, XDP and module not compared"
		return
	fi
	differential_policy
	differential_routes add || { fail "differential: routes into w1"; return; }
	seed=$(awk '{ print int($1 * 1000) % 1000000 }' /proc/uptime)
	start=$(cut -d ' ' -f 1 /proc/uptime)
	out=$(n r1 "$DIFF" /tmp/differential.conf c1 cv1 rc1 "$DIFF_PACKETS" "$seed" 2>&1)
	case $out in
	*"differential: $DIFF_PACKETS packets agree"*)
		pass "differential: $DIFF_PACKETS packets, reference = XDP = camfence.ko (seed $seed)"
		info "$(echo "$out" | tail -n 1), in $(awk -v s="$start" '{ print int($1 - s) }' /proc/uptime) s" ;;
	*)
		fail "differential: reference, XDP and camfence.ko on $DIFF_PACKETS packets (seed $seed)"
		info "$out" ;;
	esac
	differential_routes del
}

DIFF_PACKETS=2000

# ---- load and unload ----------------------------------------------------

unload_load_cycles() {
	c=1 listeners=
	while [ "$c" -le 50 ]; do
		insmod "$KO" || { echo "cycle $c: insmod"; return 1; }
		"$IP" netns add scratch || { echo "cycle $c: netns add"; return 1; }
		ctl_reports_version >/dev/null || { echo "cycle $c: camfencectl module"; return 1; }
		if [ $((c % 3)) = 0 ]; then
			# a policy in force while it goes (a learned destination too,
			# freed with it), the camera's traffic dropped; and one in a
			# namespace that goes first
			out=$({ policy_records replies "$CAM"; echo "learned,1,$CAM,203.0.113.1=2"; } |
				n r1 "$PROBE" push "$c" 0 - 2>&1)
			[ "$(echo "$out" | tail -n 1)" = 0 ] || { echo "cycle $c: push: $out"; return 1; }
			out=$(n scratch "$PROBE" push 1 1 "policy,0=drop,log,0" 2>&1)
			[ "$out" = 0 ] || { echo "cycle $c: push to scratch: $out"; return 1; }
		fi
		if [ $((c % 5)) = 0 ]; then
			# a listener still joined when the module goes
			n r1 "$PROBE" listen 3 >"/tmp/listener$c" 2>&1 &
			listeners="$listeners $!"
			t=0
			until grep -q listening "/tmp/listener$c" || [ $t -ge 20 ]; do
				t=$((t + 1))
				sleep 0.1
			done
			n c1 "$PROBE" udp 203.0.113.1 4000 50 >/dev/null 2>&1
		fi
		"$IP" netns del scratch
		rmmod camfence || { echo "cycle $c: rmmod"; return 1; }
		c=$((c + 1))
	done
	# shellcheck disable=SC2086 # a list of pids
	wait $listeners
	ctl_reports_not_loaded >/dev/null || { echo "after the cycles: still loaded"; return 1; }
}

dmesg_clean() {
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t|list_add corruption|list_del corruption|general protection')
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

# shellcheck disable=SC2086 # lists of module names
check "load what the tests use: ${TEST_MODULES:-nothing}" load_modules $TEST_MODULES
# shellcheck disable=SC2086
check "load what camfence.ko depends on: ${DEP_MODULES:-nothing}" load_modules $DEP_MODULES
check "camfencectl module before insmod: not loaded, exit non-zero" ctl_reports_not_loaded
check "topology 1 (before insmod)" topology_up 1

check "XDP program accepted by this kernel's verifier: audit passes the LAN frame, blocks the cloud one" \
	xdp_audit
check "insmod camfence.ko" insmod "$KO"
# after insmod: genl_probe, which sends its datagrams, opens the module's family first
if [ -x "$SNOOP" ]; then
	check "DNS snooper accepted by this kernel's verifier, attached to a veth's egress: copies untagged and VLAN datagrams from port 53" \
		dns_snoop_copies
else
	info "no $SNOOP in the initramfs: the DNS snooper is not tried on this kernel"
fi
check "/sys/module/camfence/version is $EXPECT_VERSION" sysfs_version
check "camfencectl module: camfence.ko $EXPECT_VERSION (genl api $EXPECT_API)" ctl_reports_version
check "genl ctrl lists family camfence" genl_lists_family
check "camfencectl module inside a netns (netnsok)" n r1 "$CTL" module
check "genl: GET_VERSION acknowledged" probe_answers 0 1
refusals
check "kprobes on the hook functions" kprobes_add
check "topology 2 (after insmod)" topology_up 2
check "IPv4 FORWARD hook in a netns older than the module" forwarded_through camfence_v4 1 10.1.2.2
check "IPv6 FORWARD hook in a netns older than the module" forwarded_through camfence_v6 1 fd00:1:2::2
check "IPv4 FORWARD hook in a netns newer than the module" forwarded_through camfence_v4 2 10.2.2.2
check "IPv6 FORWARD hook in a netns newer than the module" forwarded_through camfence_v6 2 fd00:2:2::2
check "kprobes removed" kprobes_remove
traffic
learned_destinations
with_daemon
differential
check "netns deleted while loaded" "$IP" netns del c2

check "rmmod camfence" rmmod camfence
check "camfencectl module after rmmod: not loaded, exit non-zero" ctl_reports_not_loaded
check "genl family gone after rmmod" genl_lacks_family
check "forwarding without the module: the camera reaches the denied network" reaches c1 203.0.113.1

# Traffic keeps crossing both routers while the hooks come and go.
n c1 ping -q -i 0.01 10.1.2.2 >/dev/null 2>&1 &
ping4=$!
n c1 ping -q -i 0.01 fd00:1:2::2 >/dev/null 2>&1 &
ping6=$!
check "50 insmod/rmmod cycles under traffic, with policies and listeners" unload_load_cycles
kill "$ping4" "$ping6"
wait

check "forwarding still works after unload" n c1 ping -q -c 1 -W 5 10.1.2.2
check "dmesg: no WARNING, BUG, Oops, refcount or list corruption" dmesg_clean
echo "vmtest: END"
