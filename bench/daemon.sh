#!/usr/bin/env bash
# bench/daemon.sh BUILD: camfenced's memory with 10,000 devices and 100,000
# flows, and its CPU while 10,000 new blocked flows a second arrive.
#
#   camera ns                    router ns
#  +-------------------+        +---------------------------------+
#  | cam0              |--veth--| lan0 [XDP]  camfenced  rsyslogd |
#  | camgen flood:     |        |  zone lan0, unknown deny,       |
#  | 10,000 MACs       |        |  02:00:00/24 may reach the LAN, |
#  | 02:00:00:00:00:00 |        |  the rest is denied and logged  |
#  | and on            |        +---------------------------------+
#  +-------------------+
#
# The sandbox is tests/netns/lib.sh's (its NVR and internet namespaces stand
# by unused); every frame is dropped by XDP on lan0, so nothing is forwarded
# anywhere, and nothing touches the host's interfaces. Everything is removed
# on exit, also on failure or Ctrl-C.
#
# 1. 10,000 devices x 10 flows = 100,000 blocked flows (198.51.100.0/24) at
#    BENCH_DAEMON_FILL_RATE frames/s, once each, then VmRSS of camfenced.
# 2. BENCH_DAEMON_RATE (10,000) flows never seen before per second
#    (203.0.113.0/24, camgen flood --fresh) for BENCH_DAEMON_SECONDS (10):
#    camfenced's utime+stime over that window, in % of one core. The same
#    window with no traffic, just before, is the baseline.
#
# Prints name<TAB>value<TAB>unit lines on stdout (bench/run.sh appends them
# to results.tsv) and on stderr what stands behind them: what camgen sent,
# what the daemon says it holds, events lost, alert lines written. Exits
# non-zero only when a measurement cannot be made.
#
#   BENCH_DAEMON_DEVICES (10000)  BENCH_DAEMON_FLOWS (10 per device)
#   BENCH_DAEMON_FILL_RATE (10000)  BENCH_DAEMON_RATE (10000)  BENCH_DAEMON_SECONDS (10)
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=daemon
. bench/lib.sh
bench_build "${1:-build}" all camfenced camfencectl camgen
bench_tools rsyslogd

devices=${BENCH_DAEMON_DEVICES:-10000}
flows=${BENCH_DAEMON_FLOWS:-10}
fill_rate=${BENCH_DAEMON_FILL_RATE:-10000}
rate=${BENCH_DAEMON_RATE:-10000}
seconds=${BENCH_DAEMON_SECONDS:-10}
hz=$(getconf CLK_TCK)

CF_TAG=cfbench$$
. tests/netns/lib.sh
trap sandbox_down EXIT
trap 'exit 130' INT TERM

# ---- the daemon's process, as /proc sees it (more in bench/lib.sh) -----------

sys_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $13 }'; }
now_ns() { date +%s%N; }

# ---- camfencectl status -----------------------------------------------------

# status NAME: camfencectl status into $CF_DIR/status.NAME
status() { ctl status >"$CF_DIR/status.$1" || die "camfencectl status failed"; }
# stat_of NAME KEY: the number after the word KEY ("KEY N", "KEY: N",
# "KEY N/MAX") in status NAME, or the sum of those after it on its line when
# it is a heading ("suppressed device-limit 0 overall-limit 5"); empty when
# the daemon does not report it
stat_of() {
	awk -v k="$2" '
	function num(s) { sub(/[^0-9].*/, "", s); return s }
	{
		for (i = 1; i < NF; i++) {
			w = $i; sub(/:$/, "", w)
			if (w != k)
				continue
			if ($(i + 1) ~ /^[0-9]/) { print num($(i + 1)); exit }
			for (j = i + 1; j <= NF; j++)
				if ($j ~ /^[0-9]/) { sum += num($j); found = 1 }
			if (found) { print sum; exit }
		} }' "$CF_DIR/status.$1"
}
# delta A B KEY: KEY in status B minus in status A, or empty
delta() {
	local a b
	a=$(stat_of "$1" "$3") b=$(stat_of "$2" "$3")
	[ -n "$a" ] && [ -n "$b" ] && echo $((b - a))
	return 0
}
show_status() { sed 's/^/bench: daemon:   | /' "$CF_DIR/status.$1" >&2; }

# drained NAME: wait until the daemon has taken in what the flood left in the
# ring buffer and rsyslogd has written it: three answers of camfencectl
# status in a row alike (but for the uptime), and as many lines in rsyslogd's
# file, half a second apart; the last is status NAME. At most 30 s.
drained() {
	unchanged 30 drained_view "$1" ||
		say "the daemon's status kept changing for 30 s after the flood"
}
drained_view() {
	status "$1"
	echo "$(grep -v uptime "$CF_DIR/status.$1") $(syslog_lines)"
}

# lines in rsyslogd's file, all of them or camfenced's alerts
syslog_lines() { count ''; }
alert_lines() { count 'camfenced\[[0-9]*\]: blocked '; }
count() {
	local n
	n=$(grep -c -- "$1" "$CF_DIR/messages" 2>/dev/null) || true
	echo "${n:-0}"
}

# flood NAME ARGS...: camgen flood on cam0 toward lan0; its last line in
# $line. In the background with a pid file and waited for here, not in a
# $(...), so a signal reaches the EXIT trap at once and sandbox_down stops it.
flood() {
	local name=$1
	shift
	ip netns exec "$NS_CAM" "$CAMGEN" flood --iface cam0 --dmac "$lan_mac" "$@" \
		>"$CF_DIR/$name.out" 2>&1 &
	echo $! >"$CF_DIR/$name.pid"
	wait $! || { cat "$CF_DIR/$name.out" >&2; die "camgen flood $* failed"; }
	rm -f "$CF_DIR/$name.pid"
	line=$(grep '^flood: ' "$CF_DIR/$name.out") || die "camgen flood printed no result"
}
# sent LINE, took LINE: from "flood: sent N frames, D devices, F flows in T s"
sent() { awk '{ print $3 }' <<<"$1"; }
took() { awk '{ print $(NF - 1) }' <<<"$1"; }

# ---- the sandbox ------------------------------------------------------------

sandbox_up
syslog_up || die "rsyslogd did not start: $(cat "$CF_DIR/rsyslogd.out")"
lan_mac=$(rtr cat /sys/class/net/lan0/address)
bench_flood_policy "$CF_DIR/camfence.conf" bench/daemon.sh
daemon_up "$CF_DIR/camfence.conf" || die "camfenced did not start"
wait_for 10 bash -c "ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp" ||
	die "camfenced did not attach XDP to lan0: $(cat "$CF_DIR/camfenced.out")"
pid=$(daemon_pid) || die "no camfenced process under pid $(cat "$CF_DIR/camfenced.pid")"
rsyslog_pid=$(cat "$CF_DIR/rsyslogd.pid")
status start
ctl_pid=$(awk '$1 == "camfenced" { for (i = 1; i < NF; i++) if ($i == "pid") print $(i + 1) }' \
	"$CF_DIR/status.start")
[ -z "$ctl_pid" ] || [ "$ctl_pid" = "$pid" ] ||
	die "camfencectl status says pid $ctl_pid, /proc says camfenced is $pid"
say "camfenced pid $pid, $(nproc) CPUs, $hz ticks/s, camgen's devices $devices"
rss_idle=$(proc_kb "$pid" VmRSS)

# ---- 1. memory: devices x flows, each flow once ----------------------------

say "1. $devices devices x $flows flows at $fill_rate frames/s"
flood fill --devices "$devices" --flows-per-device "$flows" --rate "$fill_rate" \
	--dst-net 198.51.100.0/24 --dport 32100
say "   camgen: $line"
drained fill
rss=$(proc_kb "$pid" VmRSS)
hwm_fill=$(proc_kb "$pid" VmHWM)
show_status fill
events=$(delta start fill events) lost=$(delta start fill lost) dropped=$(delta start fill dropped)
known_flows=$(stat_of fill flows) known_devices=$(stat_of fill devices)
say "   XDP dropped ${dropped:-?} of $(sent "$line") frames, ${events:-?} events, ${lost:-?} lost"
say "   the daemon holds ${known_flows:-(not reported)} flows, ${known_devices:-(not reported)} devices"
say "   VmRSS $(mb "$rss") MB (VmHWM $(mb "$hwm_fill") MB; $(mb "$rss_idle") MB before the flood)"
say "   syslog: $(alert_lines) alert lines, $(syslog_lines) lines in all"
[ "${lost:-0}" -eq 0 ] ||
	say "   WARNING: $lost events lost: the daemon cannot know those flows; lower BENCH_DAEMON_FILL_RATE"
[ -z "$known_flows" ] || [ "$known_flows" -ge "$((devices * flows))" ] ||
	say "   WARNING: the daemon holds fewer flows than were sent"
fill_alerts=$(alert_lines) fill_lines=$(syslog_lines)

# ---- 2. CPU: new blocked flows, against the same window at rest ------------

say "2. at rest for $seconds s, then $rate new blocked flows/s for $seconds s"
t0=$(now_ns) c0=$(cpu_ticks "$pid")
sleep "$seconds"
idle_ticks=$(($(cpu_ticks "$pid") - c0)) idle_ns=$(($(now_ns) - t0))

status before
t0=$(now_ns) c0=$(cpu_ticks "$pid") s0=$(sys_ticks "$pid") r0=$(cpu_ticks "$rsyslog_pid")
flood fresh --devices "$devices" --fresh --rate "$rate" --duration "$seconds" \
	--dst-net 203.0.113.0/24 --dport 1024
c1=$(cpu_ticks "$pid") s1=$(sys_ticks "$pid") r1=$(cpu_ticks "$rsyslog_pid") t1=$(now_ns)
flood_ticks=$((c1 - c0)) flood_ns=$((t1 - t0)) rsyslog_ticks=$((r1 - r0))
drained after
drain_ticks=$(($(cpu_ticks "$pid") - c1))
rss_after=$(proc_kb "$pid" VmRSS) hwm=$(proc_kb "$pid" VmHWM)
show_status after

pct() { awk -v t="$1" -v hz="$hz" -v ns="$2" 'BEGIN { printf "%.1f", 100 * t / hz / (ns / 1e9) }'; }
offered=$(awk -v n="$(sent "$line")" -v s="$(took "$line")" 'BEGIN { printf "%.0f", n / s }')
events=$(delta before after events) lost=$(delta before after lost)
alerts=$(delta before after alerts) suppressed=$(delta before after suppressed)
aggregated=$(delta before after aggregated) summaries=$(delta before after summaries)
alert_count=$(($(alert_lines) - fill_alerts)) line_count=$(($(syslog_lines) - fill_lines))
say "   camgen: $line ($offered/s offered)"
say "   camfenced: $flood_ticks ticks ($((s1 - s0)) in the kernel) in $(awk -v ns="$flood_ns" 'BEGIN { printf "%.2f", ns / 1e9 }') s," \
	"$(pct "$flood_ticks" "$flood_ns")% of a core; at rest $(pct "$idle_ticks" "$idle_ns")%;" \
	"$drain_ticks ticks more after the flood"
say "   rsyslogd: $(pct "$rsyslog_ticks" "$flood_ns")% of a core"
say "   XDP events ${events:-?}, lost ${lost:-?}; alerts ${alerts:-?}${summaries:+, summaries $summaries}," \
	"suppressed ${suppressed:-?}${aggregated:+, aggregated $aggregated}"
say "   syslog: $alert_count alert lines, $line_count lines in all"
held_flows=$(stat_of after flows) held_devices=$(stat_of after devices)
say "   the daemon holds ${held_flows:-(not reported)} flows, ${held_devices:-(not reported)} devices;" \
	"VmRSS $(mb "$rss_after") MB, VmHWM $(mb "$hwm") MB"

# ---- results ------------------------------------------------------------------

emit daemon.rss_idle_mb "$(mb "$rss_idle")" MB
emit daemon.rss_10k_devices_mb "$(mb "$rss")" MB
[ -z "$known_flows" ] || emit daemon.flows_held "$known_flows" flows
[ -z "$known_devices" ] || emit daemon.devices_held "$known_devices" devices
emit daemon.rss_peak_mb "$(mb "$hwm")" MB
emit daemon.cpu_idle_pct "$(pct "$idle_ticks" "$idle_ns")" %
emit daemon.cpu_10k_flows_per_s_pct "$(pct "$flood_ticks" "$flood_ns")" %
emit daemon.flows_offered_per_s "$offered" flows/s
[ -z "$lost" ] || emit daemon.events_lost "$lost" events
emit daemon.alert_lines "$alert_count" lines
emit daemon.rsyslogd_cpu_pct "$(pct "$rsyslog_ticks" "$flood_ns")" %
