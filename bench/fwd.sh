#!/usr/bin/env bash
# bench/fwd.sh BUILD: how many frames a second a router drops when a camera
# floods forbidden destinations, with camfence's XDP program and with
# netfilter doing the same job, in turns, with one generator.
#
#   flood camera ns          router ns (forwards, conntrack on)         internet ns
#  +-----------------+      +-------------------------------------+    +---------------+
#  | cam0 2 queues   |-veth-| lan0 [XDP / nft / iptables]         |    |               |
#  | livegen, one    |      | 192.168.10.1/24                     |    |               |
#  | thread per CPU: |      |                               wan0  |veth| inet0         |
#  | 64-byte UDP to  |      |                     198.51.100.1/24 |----| 198.51.100.2  |
#  | 203.0.113.0/28  |      | lan1 [XDP / nft / iptables]         |    | lo 192.0.2.80 |
#  +-----------------+      | 192.168.11.1/24                     |    | iperf3 server |
#  +-----------------+      +-------------------------------------+    +---------------+
#  | cam0            |-veth-'
#  | 192.168.11.20   |  allowed camera: iperf3 UDP at BENCH_FWD_ALLOWED_RATE to
#  +-----------------+  192.0.2.80, during every flood and once without one
#    allowed camera ns
#
# Policy: both cameras (zone lan0, lan1) may reach 192.168.0.0/16 and
# 192.0.2.0/24, nothing else. livegen (bench/livegen.c) sends from the flood
# camera's MAC and address to BENCH_FWD_FLOWS flows in 203.0.113.0/24 with
# BPF_PROG_RUN in live-frames mode, straight into lan0's receive rings; it
# shares both CPUs with the router, as the test_run loop and lan0's NAPI
# take turns on each. Each round takes every turn, the order reversed every
# other round:
#
#   floor       an XDP program that drops everything on lan0 (drop.bpf.o):
#               what the generator delivers, receiver included
#   xdp         camfenced running with the policy, camfence_xdp on lan0 and lan1
#   xdp_many    the same with BENCH_FWD_MANY_FLOWS flows: every frame misses
#               the microflow cache and is looked up in the flow table
#   nft         `ether saddr @cams ip daddr != @allowed counter drop` in an
#               inet forward chain
#   ingress     the same rule at the netdev ingress hook of lan0 and lan1
#   iptables    iptables (Debian's, iptables-nft) FORWARD: an ipset of the
#               allowed destinations, a -m mac rule per camera (skipped with
#               a note when iptables or ipset is missing)
#
# A table with a `ct state` rule stays loaded in every turn, so conntrack
# runs as on a router. Drops are counted by each dropper (camfencectl
# status, the rule's counter, iptables' counter) over livegen's own wall
# time. Figures are medians over BENCH_FWD_ROUNDS rounds; ratios are medians
# of each round's own ratios.
#
# Sandbox: namespaces cffwd<pid>-*, their veths, a bpffs and a directory of
# their own, all removed on exit, also on failure or Ctrl-C. The router's
# only route leads into the internet namespace; nothing touches the host's
# interfaces. Prints name<TAB>value<TAB>unit lines on stdout (bench/run.sh
# appends them to results.tsv), what stands behind them on stderr. Exits
# non-zero only when a measurement cannot be made.
#
#   BENCH_FWD_ROUNDS (5)  BENCH_FWD_SECONDS (4)  BENCH_FWD_FLOWS (16)
#   BENCH_FWD_MANY_FLOWS (4096)  BENCH_FWD_BATCH (64, livegen --batch)  BENCH_FWD_TURNS (all: "floor xdp xdp_many nft ingress iptables")
#   BENCH_FWD_ALLOWED_RATE (100M, iperf3 -b)
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=fwd
. bench/lib.sh
bench_build "${1:-build}" bench camfenced camfencectl bench/livegen bench/drop.bpf.o
bench_tools nft ethtool iperf3 rsyslogd python3
LIVEGEN=$CF_BUILD/bench/livegen
DROP_OBJ=$CF_BUILD/bench/drop.bpf.o
have_iptables=1
command -v iptables >/dev/null && command -v ipset >/dev/null || have_iptables=0

rounds=${BENCH_FWD_ROUNDS:-5}
seconds=${BENCH_FWD_SECONDS:-4}
flows=${BENCH_FWD_FLOWS:-16}
many_flows=${BENCH_FWD_MANY_FLOWS:-4096}
batch=${BENCH_FWD_BATCH:-64}
allowed_rate=${BENCH_FWD_ALLOWED_RATE:-100M}
[ "$seconds" -ge 2 ] || die "BENCH_FWD_SECONDS must be 2 or more"
hz=$(getconf CLK_TCK)
ncpu=$(nproc)

CF_TAG=cffwd$$
. tests/netns/lib.sh
NS_CAM2=$CF_TAG-cam2
FLOOD_MAC=$CAM_MAC FLOOD_IP=$CAM_IP
CAM2_MAC=02:ca:00:00:00:02 CAM2_IP=192.168.11.20
SINK_IP=192.0.2.80

teardown() {
	sandbox_down
	ip netns del "$NS_CAM2" 2>/dev/null || true
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ---- the sandbox ------------------------------------------------------------

CF_DIR=$(mktemp -d "/tmp/camfence-$CF_TAG.XXXXXX")
mkdir "$CF_DIR/bpffs"
mount -t bpf camfence-bpffs "$CF_DIR/bpffs"
for ns in "$NS_CAM" "$NS_CAM2" "$NS_RTR" "$NS_INET"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
# one receive queue per CPU: each livegen thread fills its own ring, which
# lan0's NAPI on that CPU drains
ip -n "$NS_CAM" link add cam0 numtxqueues "$ncpu" numrxqueues "$ncpu" type veth \
	peer name lan0 numtxqueues "$ncpu" numrxqueues "$ncpu" netns "$NS_RTR"
ip -n "$NS_CAM2" link add cam0 type veth peer name lan1 netns "$NS_RTR"
ip -n "$NS_INET" link add inet0 type veth peer name wan0 netns "$NS_RTR"

ip -n "$NS_CAM" link set cam0 address "$FLOOD_MAC"
ip -n "$NS_CAM" addr add "$FLOOD_IP/24" dev cam0
ip -n "$NS_CAM2" link set cam0 address "$CAM2_MAC"
ip -n "$NS_CAM2" addr add "$CAM2_IP/24" dev cam0
ip -n "$NS_RTR" addr add 192.168.10.1/24 dev lan0
ip -n "$NS_RTR" addr add 192.168.11.1/24 dev lan1
ip -n "$NS_RTR" addr add 198.51.100.1/24 dev wan0
ip -n "$NS_INET" addr add 198.51.100.2/24 dev inet0
ip -n "$NS_INET" addr add "$SINK_IP/32" dev lo
for l in "$NS_CAM cam0" "$NS_CAM2 cam0" "$NS_RTR lan0" "$NS_RTR lan1" "$NS_RTR wan0" \
	"$NS_INET inet0"; do
	# shellcheck disable=SC2086 # namespace and interface
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$NS_CAM" route add default via 192.168.10.1
ip -n "$NS_CAM2" route add default via 192.168.11.1
ip -n "$NS_RTR" route add default via 198.51.100.2
ip -n "$NS_INET" route add 192.168.10.0/24 via 198.51.100.1
ip -n "$NS_INET" route add 192.168.11.0/24 via 198.51.100.1
rtr sysctl -qw net.ipv4.ip_forward=1
rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
# frames redirected into a veth need its NAPI: XDP on lan0 brings it, and
# GRO keeps it when netfilter drops instead
rtr ethtool -K lan0 gro on >/dev/null
lan_mac=$(rtr cat /sys/class/net/lan0/address)

# conntrack on in every turn, as on a router
rtr nft -f - <<'NFT'
table inet router {
	chain forward {
		type filter hook forward priority filter - 10; policy accept;
		ct state established,related accept
	}
}
NFT

cat >"$CF_DIR/camfence.conf" <<CONF
# bench/fwd.sh: both cameras may reach the LANs and 192.0.2.0/24, nothing else
zone cameras {
	interface lan0
	interface lan1
	unknown deny
}

group cams {
	mac $FLOOD_MAC
	mac $CAM2_MAC
	policy lan-and-nvr
}

policy lan-and-nvr {
	allow to 192.168.0.0/16
	allow to 192.0.2.0/24
	default deny
}
CONF
# the same job for nftables; HOOK is filled in per turn
nft_rules() {
	cat <<NFT
	set cams {
		type ether_addr
		elements = { $FLOOD_MAC, $CAM2_MAC }
	}
	set allowed {
		type ipv4_addr
		flags interval
		elements = { 192.168.0.0/16, 192.0.2.0/24 }
	}
	chain filter {
		$1
		ether saddr @cams ip daddr != @allowed counter drop
	}
NFT
}
{
	echo "table inet cf_forward {"
	nft_rules "type filter hook forward priority filter; policy accept;"
	echo "}"
} >"$CF_DIR/forward.nft"
{
	echo "table netdev cf_ingress {"
	nft_rules "type filter hook ingress devices = { lan0, lan1 } priority filter; policy accept;"
	echo "}"
} >"$CF_DIR/ingress.nft"

syslog_up || die "rsyslogd did not start: $(cat "$CF_DIR/rsyslogd.out")"
inet iperf3 -s -B "$SINK_IP" >"$CF_DIR/iperf3-server.out" 2>&1 &
echo $! >"$CF_DIR/iperf3-server.pid"
# the next hops resolved and the sink answering before any clock starts
wait_for 5 inet bash -c "ss -ltn | grep -q '$SINK_IP:5201'" || die "iperf3 -s did not start"
ip netns exec "$NS_CAM2" iperf3 -c "$SINK_IP" -u -b 1M -t 1 >"$CF_DIR/warmup.out" 2>&1 ||
	{ cat "$CF_DIR/warmup.out" >&2; die "the allowed camera cannot reach $SINK_IP"; }

# ---- helpers ------------------------------------------------------------------

rx_packets() { rtr cat /sys/class/net/lan0/statistics/rx_packets; }
xdp_dropped() { ctl status | awk '$1 == "dropped" { print $2 }'; }
nft_counter() {
	rtr nft list chain "$1" "$2" filter | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}
ipt_counter() { rtr iptables -nvxL cf-cams | awk '$3 == "DROP" { n += $1 } END { print n + 0 }'; }

# allowed NAME: iperf3 UDP from the allowed camera to the sink for
# seconds - 1 s; its received rate in bit/s to $CF_DIR/NAME.bps
allowed() {
	ip netns exec "$NS_CAM2" iperf3 -c "$SINK_IP" -u -b "$allowed_rate" -l 1400 \
		-t $((seconds - 1)) -J >"$CF_DIR/$1.json" 2>&1 ||
		{ cat "$CF_DIR/$1.json" >&2; die "iperf3 from the allowed camera failed"; }
	python3 -c 'import json, sys
e = json.load(open(sys.argv[1]))["end"]
s = e.get("sum_received") or e["sum"]
print("%.0f" % s["bits_per_second"])' "$CF_DIR/$1.json" >"$CF_DIR/$1.bps"
}

# flood NAME [FLOWS]: livegen for $seconds with the allowed flow inside it; its
# seconds to $secs, what lan0 received to $arrived. In the background with
# a pid file and waited for here, so a signal tears down at once.
flood() {
	local rx0
	rx0=$(rx_packets)
	ip netns exec "$NS_CAM" "$LIVEGEN" --iface cam0 --smac "$FLOOD_MAC" --dmac "$lan_mac" \
		--src "$FLOOD_IP" --dst 203.0.113.0 --flows "${2:-$flows}" --seconds "$seconds" --batch "$batch" \
		>"$CF_DIR/$1.out" 2>&1 &
	echo $! >"$CF_DIR/livegen.pid"
	sleep 0.3
	allowed "$1"
	wait "$(cat "$CF_DIR/livegen.pid")" || { cat "$CF_DIR/$1.out" >&2; die "livegen failed"; }
	rm -f "$CF_DIR/livegen.pid"
	# lan0's last batch reaches its dropper
	sleep 0.2
	secs=$(sed -n 's/.* in \([0-9.]*\) s,.*/\1/p' "$CF_DIR/$1.out")
	sent=$(awk '{ print $3 }' "$CF_DIR/$1.out")
	arrived=$(($(rx_packets) - rx0))
}

mpps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.3f", n / s / 1e6 }'; }
# record TURN DROPS: the turn's drop rate and its allowed flow
record() {
	local rate
	rate=$(mpps "$2" "$secs")
	echo "$rate" >>"$CF_DIR/rate.$1"
	cat "$CF_DIR/$1.bps" >>"$CF_DIR/bps.$1"
	eval "round_$1=$rate"
	say "  $1: sent $sent in $secs s, lan0 received $arrived, dropped $2: $rate Mpps;" \
		"allowed flow $(awk -v b="$(cat "$CF_DIR/$1.bps")" 'BEGIN { printf "%.1f", b / 1e6 }') Mbit/s"
}

# ---- the turns ------------------------------------------------------------------

turn_floor() {
	rtr ip link set dev lan0 xdpdrv obj "$DROP_OBJ" sec xdp
	flood floor
	rtr ip link set dev lan0 xdpdrv off
	record floor "$arrived"
}

# turn_xdp [NAME FLOWS]: camfenced up, the flood, camfenced stopped with
# --detach, so the next turn's router has no XDP program
turn_xdp() {
	local name=${1:-xdp} pid c0 c1 t0 t1 d0 d1
	daemon_up "$CF_DIR/camfence.conf" || die "camfenced did not start"
	wait_for 10 bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp &&
		ip -n $NS_RTR -d link show lan1 | grep -q prog/xdp" ||
		die "camfenced did not attach XDP to lan0 and lan1: $(cat "$CF_DIR/camfenced.out")"
	pid=$(daemon_pid) || die "no camfenced process"
	d0=$(xdp_dropped)
	t0=$(date +%s%N) c0=$(cpu_ticks "$pid")
	flood "$name" "${2:-$flows}"
	c1=$(cpu_ticks "$pid") t1=$(date +%s%N)
	d1=$(xdp_dropped)
	echo "$c0 $c1 $t0 $t1" | awk -v hz="$hz" \
		'{ printf "%.1f\n", 100 * ($2 - $1) / hz / (($4 - $3) / 1e9) }' >>"$CF_DIR/daemon_cpu.$name"
	ctl stop --detach >/dev/null || die "camfencectl stop --detach failed"
	wait_for 10 bash -c "! kill -0 $pid" || die "camfenced did not stop"
	rm -f "$CF_DIR/camfenced.pid" "$CF_DIR/ctl.sock"
	! ip -n "$NS_RTR" -d link show lan0 | grep -q prog/xdp || die "camfence_xdp still on lan0"
	record "$name" $((d1 - d0))
}

# every packet a microflow-cache miss: more flows than its 256 slots a CPU
turn_xdp_many() { turn_xdp xdp_many "$many_flows"; }

turn_nft() {
	rtr nft -f "$CF_DIR/forward.nft"
	flood nft
	record nft "$(nft_counter inet cf_forward)"
	rtr nft delete table inet cf_forward
}

turn_ingress() {
	rtr nft -f "$CF_DIR/ingress.nft"
	flood ingress
	record ingress "$(nft_counter netdev cf_ingress)"
	rtr nft delete table netdev cf_ingress
}

# this kernel has no hash:mac ipset type (CONFIG_IP_SET_HASH_MAC): the
# cameras are one -m mac rule each, behind the allowed destinations' set
turn_iptables() {
	rtr ipset create cf-allowed hash:net
	rtr ipset add cf-allowed 192.168.0.0/16
	rtr ipset add cf-allowed 192.0.2.0/24
	rtr iptables -N cf-cams
	rtr iptables -A cf-cams -m mac --mac-source "$FLOOD_MAC" -j DROP
	rtr iptables -A cf-cams -m mac --mac-source "$CAM2_MAC" -j DROP
	rtr iptables -A FORWARD -m set ! --match-set cf-allowed dst -j cf-cams
	flood iptables
	record iptables "$(ipt_counter)"
	rtr iptables -F FORWARD
	rtr iptables -F cf-cams
	rtr iptables -X cf-cams
	# iptables-nft leaves its table behind, hooked; iptables-legacy has none
	rtr nft delete table ip filter 2>/dev/null || true
	rtr ipset destroy cf-allowed
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ratio_of() {
	local a="round_$2" b="round_$3"
	[ -n "${!a:-}" ] && [ -n "${!b:-}" ] || return 0
	ratio "${!a}" "${!b}" >>"$CF_DIR/$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b > 0 ? a / b : 0) }'; }

turns=(floor xdp xdp_many nft ingress)
[ "$have_iptables" -eq 0 ] || turns+=(iptables)
[ "$have_iptables" -eq 1 ] || say "iptables or ipset missing: no iptables turn (scripts/deps.sh)"
# BENCH_FWD_TURNS: some of them only, to look at one closely
[ -z "${BENCH_FWD_TURNS:-}" ] || read -r -a turns <<<"$BENCH_FWD_TURNS"
for t in "${turns[@]}"; do
	declare -F "turn_$t" >/dev/null || die "no turn $t in BENCH_FWD_TURNS"
done
say "$ncpu CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of ${turns[*]}," \
	"$seconds s each, $flows flows ($many_flows for xdp_many); allowed flow iperf3 UDP $allowed_rate"
for ((r = 0; r < rounds; r++)); do
	order=("${turns[@]}")
	if ((r % 2)); then
		order=()
		for ((i = ${#turns[@]} - 1; i >= 0; i--)); do order+=("${turns[i]}"); done
	fi
	say "round $((r + 1)): ${order[*]} (load $(cut -d' ' -f1 /proc/loadavg))"
	# the allowed flow alone, the measure of "keeps its throughput"
	allowed quiet
	cat "$CF_DIR/quiet.bps" >>"$CF_DIR/bps.quiet"
	say "  no flood: allowed flow $(awk -v b="$(cat "$CF_DIR/quiet.bps")" 'BEGIN { printf "%.1f", b / 1e6 }') Mbit/s"
	for t in "${order[@]}"; do
		"turn_$t"
	done
	# ratio_of FILE A B: A's rate over B's this round, when both ran
	ratio_of ratio.nft xdp nft
	ratio_of ratio.ingress xdp ingress
	ratio_of ratio.floor xdp floor
	ratio_of ratio.iptables xdp iptables
	ratio_of ratio.many_nft xdp_many nft
	ratio_of ratio.many_ingress xdp_many ingress
	for t in "${turns[@]}"; do
		ratio "$(tail -n1 "$CF_DIR/bps.$t")" "$(cat "$CF_DIR/quiet.bps")" >>"$CF_DIR/allowed.$t"
	done
done
say "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- results ------------------------------------------------------------------

# emit_med NAME FILE UNIT [SCALE]: the median of FILE's lines (over SCALE),
# when the turns behind it ran
emit_med() {
	[ -s "$CF_DIR/$2" ] || return 0
	emit "$1" "$(median <"$CF_DIR/$2" | awk -v s="${4:-1}" '{ printf "%.3f", $1 / s }')" "$3"
}
emit_med fwd.xdp_vs_nftables ratio.nft x
emit_med fwd.xdp_vs_nft_ingress ratio.ingress x
emit_med fwd.xdp_vs_iptables ratio.iptables x
emit_med fwd.xdp_vs_floor ratio.floor x
emit_med fwd.xdp_many_flows_vs_nftables ratio.many_nft x
emit_med fwd.xdp_many_flows_vs_nft_ingress ratio.many_ingress x
emit_med fwd.generator_mpps rate.floor Mpps
emit_med fwd.xdp_drop_mpps rate.xdp Mpps
emit_med fwd.xdp_drop_many_flows_mpps rate.xdp_many Mpps
emit_med fwd.nft_forward_drop_mpps rate.nft Mpps
emit_med fwd.nft_ingress_drop_mpps rate.ingress Mpps
emit_med fwd.iptables_drop_mpps rate.iptables Mpps
emit_med fwd.allowed_mbps bps.quiet Mbit/s 1e6
emit_med fwd.allowed_under_flood_ratio allowed.xdp x
emit_med fwd.allowed_under_many_flows_flood_ratio allowed.xdp_many x
emit_med fwd.allowed_under_nft_flood_ratio allowed.nft x
emit_med fwd.allowed_under_nft_ingress_flood_ratio allowed.ingress x
emit_med fwd.allowed_under_iptables_flood_ratio allowed.iptables x
emit_med fwd.daemon_cpu_under_flood_pct daemon_cpu.xdp %
emit_med fwd.daemon_cpu_under_many_flows_flood_pct daemon_cpu.xdp_many %
