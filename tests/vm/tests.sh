#!/bin/sh
# Tests of camfence.ko, run by /init inside the VM (busybox sh, as root).
#
# Every result is one console line, "vmtest: PASS <what>" or
# "vmtest: FAIL <what>", details on "vmtest: # ..." lines; the last line is
# "vmtest: END". tests/vm/run.sh counts them on the host.
#
# The hooks are watched with kprobes on their functions while traffic is
# forwarded through a router namespace, in two copies of this topology, one
# created before the module is loaded and one after:
#
#   c$i (camera)          r$i (router, forwards)          w$i (WAN)
#   cv$i 10.$i.1.2 ------ rc$i 10.$i.1.1   rw$i 10.$i.2.1 ------ wv$i 10.$i.2.2
#        fd00:$i:1::2          fd00:$i:1::1     fd00:$i:2::1          fd00:$i:2::2

# shellcheck source=/dev/null # written by mkinitramfs.sh
. /vmtest.env

IP=/usr/sbin/ip
GENL=/usr/sbin/genl
CTL=/usr/bin/camfencectl
KO=/lib/modules/camfence.ko
TRACING=/sys/kernel/tracing

pass() { echo "vmtest: PASS $*"; }
fail() { echo "vmtest: FAIL $*"; }
info() { echo "$*" | sed 's/^/vmtest: # /'; }
n() { "$IP" netns exec "$@"; }

# check WHAT CMD...: PASS when CMD succeeds, else FAIL with its output.
xdp_audit() {
	local out
	out=$("$CTL" audit --policy /etc/camfence/vm.conf /etc/camfence/vm.pcap 2>&1) || {
		echo "$out"
		return 1
	}
	echo "$out" | grep -q ': 2 frames: 1 passed, 1 blocked$' || { echo "$out"; return 1; }
}

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

load_modules() {
	for m in "$@"; do
		insmod "/lib/modules/$m" || return 1
	done
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

# probe_answers ERRNO CMD [ATTR]: the kernel acknowledges CMD with ERRNO.
probe_answers() {
	want=$1
	shift
	got=$(/usr/bin/genl_probe "$@" 2>&1)
	[ "$got" = "$want" ] || { echo "genl_probe $*: $got, expected $want"; return 1; }
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

unload_load_cycles() {
	c=1
	while [ "$c" -le 10 ]; do
		insmod "$KO" || { echo "cycle $c: insmod"; return 1; }
		"$IP" netns add scratch || { echo "cycle $c: netns add"; return 1; }
		ctl_reports_version >/dev/null || { echo "cycle $c: camfencectl module"; return 1; }
		"$IP" netns del scratch
		rmmod camfence || { echo "cycle $c: rmmod"; return 1; }
		c=$((c + 1))
	done
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
check "/sys/module/camfence/version is $EXPECT_VERSION" sysfs_version
check "camfencectl module: camfence.ko $EXPECT_VERSION (genl api $EXPECT_API)" ctl_reports_version
check "genl ctrl lists family camfence" genl_lists_family
check "camfencectl module inside a netns (netnsok)" n r1 "$CTL" module
check "genl: GET_VERSION acknowledged" probe_answers 0 1
check "genl: unknown command 2 refused (EOPNOTSUPP)" probe_answers -95 2
check "genl: command 0 refused (EOPNOTSUPP)" probe_answers -95 0
check "genl: GET_VERSION with CAMFENCE_A_API refused (EINVAL)" probe_answers -22 1 2
check "genl: GET_VERSION with attribute 3 refused (EINVAL)" probe_answers -22 1 3
check "kprobes on the hook functions" kprobes_add
check "topology 2 (after insmod)" topology_up 2
check "IPv4 FORWARD hook in a netns older than the module" forwarded_through camfence_v4 1 10.1.2.2
check "IPv6 FORWARD hook in a netns older than the module" forwarded_through camfence_v6 1 fd00:1:2::2
check "IPv4 FORWARD hook in a netns newer than the module" forwarded_through camfence_v4 2 10.2.2.2
check "IPv6 FORWARD hook in a netns newer than the module" forwarded_through camfence_v6 2 fd00:2:2::2
check "kprobes removed" kprobes_remove
check "netns deleted while loaded" "$IP" netns del c2

check "rmmod camfence" rmmod camfence
check "camfencectl module after rmmod: not loaded, exit non-zero" ctl_reports_not_loaded
check "genl family gone after rmmod" genl_lacks_family

# Traffic keeps crossing both routers while the hooks come and go.
n c1 ping -q -i 0.01 10.1.2.2 >/dev/null 2>&1 &
ping4=$!
n c1 ping -q -i 0.01 fd00:1:2::2 >/dev/null 2>&1 &
ping6=$!
check "10 insmod/rmmod cycles under traffic" unload_load_cycles
kill "$ping4" "$ping6"
wait

check "forwarding still works after unload" n c1 ping -q -c 1 -W 5 10.1.2.2
check "dmesg: no WARNING, BUG, Oops, refcount or list corruption" dmesg_clean
echo "vmtest: END"
