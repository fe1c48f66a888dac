#!/usr/bin/env bash
# bench/event_flood.sh BUILD: 1,000,000 blocked frames over 100,000 flows
# through camfence's XDP program with camfenced running. Every event the
# ring buffer could not take must be counted by the XDP program and said by
# camfenced (status, --json and syslog); syslog must stay within the alert
# limits; the daemon's memory must stay bounded.
#
#   camera ns                    router ns
#  +-------------------+        +---------------------------------+
#  | cam0              |--veth--| lan0 [XDP]  camfenced  rsyslogd |
#  | camgen flood:     |        |  zone lan0, unknown deny,       |
#  | 10,000 MACs x 10  |        |  02:00:00/24 may reach the LAN, |
#  | destinations,     |        |  the rest is denied and logged  |
#  | 10 rounds         |        +---------------------------------+
#  +-------------------+
#
# The sandbox is tests/netns/lib.sh's, as in bench/daemon.sh: every frame is
# dropped by XDP on lan0, nothing touches the host's interfaces, and
# everything is removed on exit, also on failure or Ctrl-C.
#
# The 100,000 flows are more than the XDP flow table's 65,536, and camgen
# sends them in turn, so most frames find their flow evicted and raise an
# event again: far more events a second than camfenced reads, and the ring
# buffer (256 KiB) fills. That is the point: what it could not take is
# counted by the program (its "lost" counter, read here from the pinned
# map with bpftool, not through camfenced) and must come out of camfenced
# the same.
#
# Prints name<TAB>value<TAB>unit lines on stdout (bench/run.sh appends them
# to results.tsv) and on stderr what stands behind them. Exits non-zero
# only when a measurement cannot be made; a figure that shows camfence
# misbehaving (a loss the daemon does not report as the program counted it,
# an event raised but not read, more syslog lines than the limits allow) is
# said on stderr as FAULT and counted in events.faults.
#
#   BENCH_FLOOD_PACKETS (1000000)  BENCH_FLOOD_DEVICES (10000)
#   BENCH_FLOOD_FLOWS (10 per device)  BENCH_FLOOD_RATE (250000 frames/s)
#   BENCH_FLOOD_WINDOW (5 s: camfenced --alert-window, so the loss report
#   comes within the run)
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH="event flood"
. bench/lib.sh
bench_build "${1:-build}" all camfenced camfencectl camgen
bench_tools rsyslogd bpftool python3

packets=${BENCH_FLOOD_PACKETS:-1000000}
devices=${BENCH_FLOOD_DEVICES:-10000}
flows=${BENCH_FLOOD_FLOWS:-10}
rate=${BENCH_FLOOD_RATE:-250000}
window=${BENCH_FLOOD_WINDOW:-5}
# camfenced's defaults, said here so the limits below are computed from them
alert_rate=20 alert_total=200 period=60

CF_TAG=cfflood$$
. tests/netns/lib.sh
trap sandbox_down EXIT
trap 'exit 130' INT TERM

# kstat NAME: the XDP program's counters, summed over the CPUs, straight
# from the pinned per-CPU map: "events N lost N dropped N"
kstat() {
	bpftool -j map dump pinned "$CF_DIR/bpffs/camfence/stats" >"$CF_DIR/kstat.$1.json" ||
		die "bpftool cannot read $CF_DIR/bpffs/camfence/stats"
	python3 - "$CF_DIR/kstat.$1.json" <<'PY'
import json, sys
# include/camfence.h: PASS_PKTS, PASS_BYTES, DROP_PKTS, DROP_BYTES, EVENTS, EVENTS_LOST
tot = [0] * 9
for entry in json.load(open(sys.argv[1])):
    for cpu in entry.get("formatted", entry)["values"]:
        v = cpu["value"]
        v = v["v"] if isinstance(v, dict) else v
        for i, x in enumerate(v[:9]):
            tot[i] += int(x, 0) if isinstance(x, str) else x
print("events %d lost %d dropped %d" % (tot[4], tot[5], tot[2]))
PY
}
kget() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$1"; }

# jstatus NAME: camfencectl status --json into $CF_DIR/status.NAME.json
jstatus() { ctl status --json >"$CF_DIR/status.$1.json" || die "camfencectl status --json failed"; }
# jget NAME PATH: a number of status NAME, PATH as "xdp.events_lost"
jget() {
	python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    o = o.get(k) if isinstance(o, dict) else None
print("" if o is None else o)' "$CF_DIR/status.$1.json" "$2"
}

count() {
	local n
	n=$(grep -c -- "$1" "$CF_DIR/messages" 2>/dev/null) || true
	echo "${n:-0}"
}
daemon_lines() { count 'camfenced\[[0-9]*\]: '; }

# settled: camfenced's status (but for its uptime) and rsyslogd's file
# unchanged three times in a row, half a second apart; at most 60 s
settled() {
	unchanged 60 settled_view || say "camfenced's status kept changing for 60 s after the flood"
}
settled_view() {
	jstatus settle
	echo "$(grep -v uptime "$CF_DIR/status.settle.json") $(daemon_lines)"
}

# ---- the sandbox ------------------------------------------------------------

sandbox_up
syslog_up || die "rsyslogd did not start: $(cat "$CF_DIR/rsyslogd.out")"
lan_mac=$(rtr cat /sys/class/net/lan0/address)
bench_flood_policy "$CF_DIR/camfence.conf" bench/event_flood.sh
daemon_up "$CF_DIR/camfence.conf" --alert-rate "$alert_rate/minute" \
	--alert-total "$alert_total/minute" --alert-window "$window" || die "camfenced did not start"
t_start=$(date +%s%N)
wait_for 10 bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp" ||
	die "camfenced did not attach XDP to lan0: $(cat "$CF_DIR/camfenced.out")"
pid=$(daemon_pid) || die "no camfenced process under pid $(cat "$CF_DIR/camfenced.pid")"
rss_idle=$(proc_kb "$pid" VmRSS)
k0=$(kstat before)
jstatus before
lines0=$(daemon_lines)
say "camfenced pid $pid, --alert-rate $alert_rate/minute --alert-total $alert_total/minute --alert-window $window"

# ---- the flood ------------------------------------------------------------------

say "$packets frames, $devices devices x $flows flows, at $rate frames/s"
ip netns exec "$NS_CAM" "$CAMGEN" flood --iface cam0 --dmac "$lan_mac" --devices "$devices" \
	--flows-per-device "$flows" --count "$packets" --rate "$rate" \
	--dst-net 198.51.100.0/24 --dport 32100 >"$CF_DIR/flood.out" 2>&1 &
echo $! >"$CF_DIR/flood.pid"
# the daemon's resident size, sampled while the flood lasts
rss_max=0
while kill -0 "$(cat "$CF_DIR/flood.pid")" 2>/dev/null; do
	r=$(proc_kb "$pid" VmRSS)
	[ "$r" -le "$rss_max" ] || rss_max=$r
	sleep 0.2
done
wait "$(cat "$CF_DIR/flood.pid")" || { cat "$CF_DIR/flood.out" >&2; die "camgen flood failed"; }
rm -f "$CF_DIR/flood.pid"
line=$(grep '^flood: ' "$CF_DIR/flood.out") || die "camgen flood printed no result"
say "  camgen: $line"
sent=$(awk '{ print $3 }' <<<"$line")
flows_sent=$(awk '{ print $7 }' <<<"$line")
offered=$(awk '{ printf "%.0f", $3 / $(NF - 1) }' <<<"$line")
settled
# the report of what the limits held back and the ring buffer lost comes
# when the window closes: wait for the one after the flood
sleep $((window + 2))
settled
t_end=$(date +%s%N)
k1=$(kstat after)
jstatus after
rss_end=$(proc_kb "$pid" VmRSS) hwm=$(proc_kb "$pid" VmHWM)
[ "$rss_end" -le "$rss_max" ] || rss_max=$rss_end

# ---- the figures ------------------------------------------------------------------

kd() { echo $(($(kget "$k1" "$1") - $(kget "$k0" "$1"))); }
jd() {
	local a b
	a=$(jget before "$1") b=$(jget after "$1")
	[ -n "$a" ] && [ -n "$b" ] && echo $((b - a))
	return 0
}
k_events=$(kd events) k_lost=$(kd lost) k_dropped=$(kd dropped)
s_lost=$(jd xdp.events_lost) s_read=$(jd xdp.events_read)
s_lost_said=$(jd alerts.events_lost)
# syslog: the losses camfenced's reports said, its lines since the flood
tail -n +"$((lines0 + 1))" "$CF_DIR/messages" >"$CF_DIR/flood.messages"
y_lost=$(grep -o '[0-9]* events\? lost (ring buffer full)' "$CF_DIR/flood.messages" |
	awk '{ n += $1 } END { print n + 0 }')
all_lines=$(grep -c 'camfenced\[[0-9]*\]: ' "$CF_DIR/flood.messages" || true)
first_lines=$(grep -c 'camfenced\[[0-9]*\]: blocked [a-z0-9]* .* iface ' "$CF_DIR/flood.messages" || true)
max_device=$(grep 'camfenced\[[0-9]*\]: blocked [a-z0-9]* .* iface ' "$CF_DIR/flood.messages" |
	grep -o ' mac [0-9a-f:]*' | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 } END { if (NR == 0) print 0 }')
secs=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
# the limits: a bucket of --alert-total lines, full at start, refilled at
# its rate; each line's aggregate says at most one summary a window; a
# window's report and folded line, two more
windows=$(awk -v s="$secs" -v w="$window" 'BEGIN { printf "%d", s / w + 1 }')
first_limit=$(awk -v s="$secs" -v r="$alert_total" -v p="$period" 'BEGIN { printf "%d", r + r * s / p }')
device_limit=$(awk -v s="$secs" -v r="$alert_rate" -v p="$period" 'BEGIN { printf "%d", r + r * s / p }')
lines_limit=$((first_limit * (1 + windows) + 2 * windows))

say "  XDP dropped $k_dropped of $sent frames; raised $k_events events, lost $k_lost (ring buffer full)"
say "  camfenced read ${s_read:-?} events; status says ${s_lost:-?} lost, its own count ${s_lost_said:-?}; syslog reports said $y_lost lost"
say "  syslog over ${secs} s: $all_lines lines of camfenced, $first_lines first lines (limit $first_limit)," \
	"at most $max_device for one device (limit $device_limit), all lines limit $lines_limit"
say "  VmRSS $(mb "$rss_idle") MB before, at most $(mb "$rss_max") MB during, $(mb "$rss_end") MB after (VmHWM $(mb "$hwm") MB)"
sed 's/^/bench: event flood:   | /' "$CF_DIR/flood.messages" | grep -v ': blocked [a-z0-9]* .* iface ' |
	grep -v ' more in the last ' >&2 || true

emit events.flood_packets "$sent" frames
emit events.flood_flows "$flows_sent" flows
emit events.flood_rate "$offered" frames/s
emit events.xdp_dropped "$k_dropped" frames
emit events.ringbuf_events "$k_events" events
emit events.ringbuf_lost "$k_lost" events
[ -z "$s_read" ] || emit events.daemon_read "$s_read" events
[ -z "$s_lost" ] || emit events.status_lost "$s_lost" events
[ -z "$s_lost_said" ] || emit events.daemon_counted_lost "$s_lost_said" events
emit events.reported_lost "$y_lost" events
emit events.syslog_lines "$all_lines" lines
emit events.syslog_lines_limit "$lines_limit" lines
emit events.alert_lines "$first_lines" lines
emit events.alert_lines_limit "$first_limit" lines
emit events.alert_lines_max_device "$max_device" lines
emit events.alert_lines_device_limit "$device_limit" lines
emit events.daemon_rss_mb "$(mb "$rss_max")" MB
emit events.daemon_hwm_mb "$(mb "$hwm")" MB

bad=0
fault() { say "FAULT: $*"; bad=$((bad + 1)); }
[ "$k_dropped" -eq "$sent" ] || fault "XDP dropped $k_dropped of $sent frames"
[ -z "$s_read" ] || [ "$s_read" -eq "$k_events" ] ||
	fault "camfenced read $s_read events of the $k_events the program raised"
[ -z "$s_lost_said" ] || [ "$s_lost_said" -eq "$k_lost" ] ||
	fault "camfenced counted $s_lost_said lost, the program $k_lost"
[ -z "$s_lost" ] || [ "$s_lost" -eq "$k_lost" ] ||
	fault "status says $s_lost lost, the program counted $k_lost"
[ "$y_lost" -eq "$k_lost" ] ||
	fault "syslog said $y_lost events lost, the program counted $k_lost"
[ "$first_lines" -le "$first_limit" ] ||
	fault "$first_lines first lines, above the overall limit $first_limit"
[ "$max_device" -le "$device_limit" ] ||
	fault "one device got $max_device lines, above its limit $device_limit"
[ "$all_lines" -le "$lines_limit" ] ||
	fault "$all_lines lines, above $lines_limit"
emit events.faults "$bad" faults
