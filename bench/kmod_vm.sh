#!/bin/sh
# Run inside the test VM as /tests.sh (bench/kmod.sh boots it through
# tests/vm/run.sh with VM_SCRIPT): how many frames a second the router
# drops, with camfence.ko alone and with an nftables rule set doing the
# same job, in turn, on one topology:
#
#   cam (camera)                rt (router, forwards, conntrack)     wan
#   cv 192.0.2.1/24 ---- rc 192.0.2.254/24   rw 203.0.113.1/24 ---- wv 203.0.113.2/24
#   camgen flood to 198.51.100.0/24          default via 203.0.113.2
#
# Policy: the camera's MAC may reach 203.0.113.0/24 (its NVR) and nothing
# else. Module: camfence.ko loaded and the policy pushed with kmod_push;
# nftables: camfence.ko unloaded, `ether saddr @cams ip daddr != @allowed
# counter drop` in a forward chain. Both rounds run with the same table
# `inet router` in rt, whose `ct state` rule keeps conntrack on as on a router.
# The flood is the same each time, faster than either can drop; the figure
# is drops counted by the dropper (the module's drop_pkts stat, the rule's
# counter) over camgen's own duration. Medians of BENCH_ROUNDS each.
#
# Results: "vmtest: # result NAME VALUE UNIT"; "vmtest: PASS|FAIL" a round;
# "vmtest: END" at the end, as tests/vm/run.sh expects.

# shellcheck source=/dev/null # written by mkinitramfs.sh and bench/kmod.sh
. /vmtest.env
# shellcheck source=/dev/null
. /bench.env
# shellcheck source=tests/vm/lib.sh
. /vmlib.sh

NFT=/usr/sbin/nft
PUSH=/usr/bin/kmod_push
GEN=/usr/bin/camgen
KO=/lib/modules/camfence.ko
CONF=/etc/camfence/bench.conf

finish() { echo "vmtest: END"; exit 0; }

topology_up() {
	for ns in cam rt wan; do
		"$IP" netns add "$ns" && n "$ns" "$IP" link set lo up || return 1
	done
	"$IP" link add cv netns cam type veth peer name rc netns rt || return 1
	"$IP" link add wv netns wan type veth peer name rw netns rt || return 1
	n rt sysctl -qw net.ipv4.ip_forward=1 || return 1
	n cam "$IP" addr add 192.0.2.1/24 dev cv &&
	n rt "$IP" addr add 192.0.2.254/24 dev rc &&
	n rt "$IP" addr add 203.0.113.1/24 dev rw &&
	n wan "$IP" addr add 203.0.113.2/24 dev wv || return 1
	n cam "$IP" link set cv up && n rt "$IP" link set rc up &&
	n rt "$IP" link set rw up && n wan "$IP" link set wv up || return 1
	n cam "$IP" route add default via 192.0.2.254 &&
	n rt "$IP" route add default via 203.0.113.2 &&
	n wan "$IP" route add default via 203.0.113.1 || return 1
	# the next hop resolved before the clock starts
	n rt ping -c 1 -W 2 203.0.113.2 >/dev/null
}

# flood: the same flood each round; its seconds, as camgen measured them, to /tmp/secs
flood() {
	out=$(n cam "$GEN" flood --iface cv --dmac "$RC_MAC" --mac-base "$CAM_MAC" \
		--src-net 192.0.2.0/24 --dst-net 198.51.100.0/24 --flows-per-device 16 \
		--rate "$RATE" --duration "$SECS" 2>&1) || { echo "camgen: $out"; return 1; }
	echo "$out"
	echo "$out" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p' >/tmp/secs
}

# round_KIND: the dropper in, the flood, its drop count to /tmp/drops, the
# dropper out. round_module: camfence.ko in, policy pushed, flood, drop_pkts; module out
round_module() {
	insmod "$KO" || return 1
	n rt "$PUSH" push "$CONF" >/tmp/push 2>&1
	# 2: live, but the dump read back differs from what was pushed
	[ $? -eq 0 ] || { cat /tmp/push; rmmod camfence; return 1; }
	n rt "$PUSH" reset >/dev/null || { rmmod camfence; return 1; }
	flood || { rmmod camfence; return 1; }
	drops=$(n rt "$PUSH" counters | awk '$1 == "stat" && $2 == "drop_pkts" { print $3 }')
	rmmod camfence || return 1
	echo "$drops" >/tmp/drops
}

round_nft() {
	n rt "$NFT" -f /etc/camfence/filter.nft || return 1
	flood || return 1
	drops=$(n rt "$NFT" list chain inet filter forward |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
	n rt "$NFT" delete table inet filter || return 1
	echo "$drops" >/tmp/drops
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# each module once, in order: nftables' list and camfence.ko's share conntrack's
# shellcheck disable=SC2086 # one module per word
modules=$(for m in $DEP_MODULES $TEST_MODULES $BENCH_MODULES; do echo "$m"; done | awk '!seen[$0]++')
# shellcheck disable=SC2086
if ! out=$(load_modules $modules 2>&1); then
	fail "kmod bench: modules load"
	info "$out"
	finish
fi
if ! out=$(topology_up 2>&1); then
	fail "kmod bench: topology"
	info "$out"
	finish
fi
CAM_MAC=$(n cam cat /sys/class/net/cv/address)
RC_MAC=$(n rt cat /sys/class/net/rc/address)

mkdir -p /etc/camfence
cat >"$CONF" <<CONF
zone cams {
	interface rc
}
group cams {
	mac $CAM_MAC
	policy lan
}
policy lan {
	allow to 203.0.113.0/24
	default deny
}
CONF
cat >/etc/camfence/filter.nft <<NFT
table inet filter {
	set cams {
		type ether_addr
		elements = { $CAM_MAC }
	}
	set allowed {
		type ipv4_addr
		flags interval
		elements = { 203.0.113.0/24 }
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ether saddr @cams ip daddr != @allowed counter drop
	}
}
NFT
if ! out=$(n rt "$NFT" -f - 2>&1 <<NFT
table inet router {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		ct state invalid counter
	}
}
NFT
); then
	fail "kmod bench: conntrack table"
	info "$out"
	finish
fi

: >/tmp/module_pps
: >/tmp/nft_pps
i=1
while [ "$i" -le "$ROUNDS" ]; do
	# the order alternates, so a drift in the VM's speed favours neither
	kinds="module nft"
	[ $((i % 2)) -eq 1 ] || kinds="nft module"
	for kind in $kinds; do
		: >/tmp/drops
		"round_$kind" 2>&1 | sed 's/^/vmtest: # /'
		drops=$(cat /tmp/drops)
		if [ -n "$drops" ] && [ "$drops" -gt 0 ]; then
			secs=$(cat /tmp/secs)
			pps=$(awk -v d="$drops" -v s="$secs" 'BEGIN { printf "%.0f", d / s }')
			echo "$pps" >>"/tmp/${kind}_pps"
			pass "kmod bench: round $i, $kind: $drops dropped in $secs s, $pps/s"
		else
			fail "kmod bench: round $i, $kind"
			dmesg | tail -n 20 | sed 's/^/vmtest: # /'
		fi
	done
	i=$((i + 1))
done

mod=$(median </tmp/module_pps)
nft=$(median </tmp/nft_pps)
if [ -n "$mod" ] && [ -n "$nft" ]; then
	echo "vmtest: # result kmod.drop_pps $mod pps"
	echo "vmtest: # result kmod.nftables_drop_pps $nft pps"
	awk -v m="$mod" -v n="$nft" 'BEGIN { printf "vmtest: # result kmod.drop_vs_nftables %.2f x\n", m / n }'
fi
if dmesg | grep -q 'WARNING\|BUG'; then
	fail "kmod bench: kernel log"
	dmesg | grep -A5 'WARNING\|BUG' | head -n 30 | sed 's/^/vmtest: # /'
fi
finish
