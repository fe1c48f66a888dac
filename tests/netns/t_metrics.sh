#!/usr/bin/env bash
# Metrics for Prometheus: camfenced --metrics-file writes a text exposition
# node_exporter's textfile collector can read, replaced whole each time;
# `camfencectl metrics` gives the same. Its counts are the ones
# `camfencectl devices` and `rules` show and what the camera sent; a write
# that fails is said once and never stops enforcement; bad options are
# refused with their reasons. Read with Debian's Prometheus parser.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

PY=/usr/bin/python3
if ! $PY -c 'import prometheus_client.parser' 2>/dev/null; then
	echo "SKIP python3-prometheus-client is not installed (scripts/deps.sh)"
	exit 77
fi

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"
mdir=$CF_DIR/textfile
mkdir "$mdir"
prom=$mdir/camfence.prom

# prom.py FILE|- check: parses, every family typed, documented and unique,
# every series once; prom.py FILE|- value NAME [LABEL=VALUE...]: the one
# sample that has those labels, as an integer when it is one
cat >"$CF_DIR/prom.py" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families

src, cmd = sys.argv[1], sys.argv[2]
text = sys.stdin.read() if src == "-" else open(src).read()
families = list(text_string_to_metric_families(text))
if cmd == "check":
    assert text.endswith("\n"), "no final newline: a half file"
    names = [f.name for f in families]
    assert len(names) == len(set(names)), "a family twice"
    for f in families:
        assert f.type in ("counter", "gauge"), (f.name, f.type)
        assert f.documentation, f.name + " has no HELP"
    series = [(s.name, tuple(sorted(s.labels.items()))) for f in families for s in f.samples]
    assert len(series) == len(set(series)), "a series twice"
    assert text.count("# HELP ") == text.count("# TYPE ") == len(families)
    print(len(families))
    sys.exit(0)
name, want = sys.argv[3], dict(a.split("=", 1) for a in sys.argv[4:])
hits = [s for f in families for s in f.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in want.items())]
if len(hits) != 1:
    sys.exit("%d samples of %s %s" % (len(hits), name, want))
v = hits[0].value
print(int(v) if v == int(v) else v)
PY
prom() { $PY "$CF_DIR/prom.py" "$@"; }
# is WANT FILE NAME [LABEL=VALUE...]: the sample's value is WANT (for wait_for)
is() {
	local want=$1
	shift
	[ "$(prom "$1" value "${@:2}" 2>/dev/null)" = "$want" ]
}
# exits CODE CMD...: the command exits with CODE
exits() {
	local want=$1 rc=0
	shift
	"$@" >"$CF_DIR/last.out" 2>"$CF_DIR/last.err" || rc=$?
	[ "$rc" -eq "$want" ]
}
said() { grep -qF -- "$1" "$CF_DIR/last.err"; }
# a camfenced that should refuse to start; one that starts is stopped
daemon() { rtr timeout 10 "$CAMFENCED" -f -c "$conf" $(daemon_args) "$@"; }

# bad options: refused before anything starts, each with its reason
check "interval 0: exits 2" exits 2 daemon --metrics-file "$prom" --metrics-interval 0
check "interval 0: says at least 1 second" said "camfenced: --metrics-interval '0': at least 1 second"
check "interval not a number: exits 2" exits 2 daemon --metrics-file "$prom" --metrics-interval 5m
check "interval not a number: says what it expects" \
	said "camfenced: --metrics-interval '5m': expected a whole number of seconds, from 1 to 3600"
check "interval over an hour: exits 2" exits 2 daemon --metrics-file "$prom" --metrics-interval 3601
check "interval over an hour: says the limit" \
	said "camfenced: --metrics-interval '3601': at most 3600 seconds (an hour)"
check "interval without a file: exits 2" exits 2 daemon --metrics-interval 10
check "interval without a file: says so" \
	said "camfenced: --metrics-interval: without --metrics-file there is no file to write"
check "missing directory: exits 1" exits 1 daemon --metrics-file "$CF_DIR/nodir/camfence.prom"
check "missing directory: names it and what to do" \
	said "metrics file $CF_DIR/nodir/camfence.prom: its directory $CF_DIR/nodir: No such file or directory; create it, or give a path in node_exporter's --collector.textfile.directory"
check "a directory as the file: exits 1" exits 1 daemon --metrics-file "$mdir"
check "a directory as the file: says so" said "metrics file $mdir: is a directory"
check "refused starts attached nothing" \
	bash -c "! ip -n $NS_RTR -d link show lan0 | grep -q prog/xdp"

daemon_up "$conf" --metrics-file "$prom" --metrics-interval 1
check "the file is written at start" wait_for 3 test -s "$prom"
check "the file parses, every family typed and documented once" quiet prom "$prom" check
check "the file is readable by node_exporter (mode 0644)" test "$(stat -c %a "$prom")" = 644
check "generation 1 at start" test "$(prom "$prom" value camfence_policy_generation)" = 1

# seven datagrams the policy blocks, five it allows
sent_blocked=7
cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32100 --count $sent_blocked >/dev/null
cam "$CAMGEN" udp --dst "$NVR_IP" --port 5004 --count 5 >/dev/null
dropped() { prom "$prom" value camfence_device_packets_total "mac=$CAM_MAC" verdict=dropped; }
check "the camera's dropped packets reach the file" \
	wait_for 5 is $sent_blocked "$prom" camfence_device_packets_total "mac=$CAM_MAC" verdict=dropped
sleep 1.5	# one more write: nothing moves any more
ctl --json devices >"$CF_DIR/devices.json"
ctl --json rules >"$CF_DIR/rules.json"
ctl --json status >"$CF_DIR/status.json"
jq() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
dev="[x for x in d['devices'] if x['mac'] == '$CAM_MAC'][0]"
check "dropped: the file says what was sent" test "$(dropped)" = $sent_blocked
check "dropped: the file says what camfencectl devices says" \
	test "$(dropped)" = "$(jq "$CF_DIR/devices.json" "$dev['blocked_packets']")"
check "dropped bytes: as camfencectl devices says" \
	test "$(prom "$prom" value camfence_device_bytes_total "mac=$CAM_MAC" verdict=dropped)" = \
	"$(jq "$CF_DIR/devices.json" "$dev['blocked_bytes']")"
check "allowed: as camfencectl devices says" \
	test "$(prom "$prom" value camfence_device_packets_total "mac=$CAM_MAC" verdict=allowed)" = \
	"$(jq "$CF_DIR/devices.json" "$dev['passed_packets']")"
check "the camera's series carry its group and zone" \
	quiet prom "$prom" value camfence_device_packets_total "mac=$CAM_MAC" group=cams zone=cameras device= verdict=dropped
check "the NVR rule: the five datagrams allowed" \
	test "$(prom "$prom" value camfence_rule_packets_total policy=lan-only "rule=$conf:12" verdict=allow)" = 5
check "the NVR rule: as camfencectl rules says" \
	test "$(prom "$prom" value camfence_rule_packets_total "rule=$conf:12")" = \
	"$(jq "$CF_DIR/rules.json" "[r for r in d['rules'] if r['line'] == 12][0]['packets']")"
check "XDP drops: as camfencectl status says" \
	test "$(prom "$prom" value camfence_xdp_packets_total verdict=dropped)" = \
	"$(jq "$CF_DIR/status.json" "d['xdp']['dropped_packets']")"
check "event losses: none, and said as 0" test "$(prom "$prom" value camfence_xdp_events_lost_total)" = 0
check "alerts: the blocked flow was alerted" test "$(prom "$prom" value camfence_alerts_total)" -ge 1
check "module: absent here, said as 0" test "$(prom "$prom" value camfence_module_loaded)" = 0
check "up since: the daemon's start time" \
	test "$(prom "$prom" value camfence_daemon_start_time_seconds)" -ge "$(($(date +%s) - 60))"

# camfencectl metrics: the same exposition, from the socket
check "camfencectl metrics: exits 0" exits 0 ctl metrics
check "camfencectl metrics: parses the same way" quiet prom "$CF_DIR/last.out" check
check "camfencectl metrics: the same dropped count" \
	test "$(prom "$CF_DIR/last.out" value camfence_device_packets_total "mac=$CAM_MAC" verdict=dropped)" = $sent_blocked
check "camfencectl metrics: the same families as the file" \
	test "$(grep '^# TYPE' "$CF_DIR/last.out")" = "$(grep '^# TYPE' "$prom")"
check "camfencectl metrics --json: exits 2" exits 2 ctl metrics --json
check "camfencectl metrics --json: says there is none" said "camfencectl: metrics: has no --json output"
check "camfencectl metrics with an argument: exits 2" exits 2 ctl metrics now

# a reload: a new generation, and when it was loaded
loaded0=$(prom "$prom" value camfence_policy_loaded_timestamp_seconds)
sleep 1
quiet ctl reload
check "reload: the generation rises in the file" \
	wait_for 3 is 2 "$prom" camfence_policy_generation
check "reload: camfencectl metrics says 2 too" \
	test "$(ctl metrics | prom - value camfence_policy_generation)" = 2
check "reload: its load time is later" \
	test "$(prom "$prom" value camfence_policy_loaded_timestamp_seconds)" -gt "$loaded0"
check "reload: counted" test "$(prom "$prom" value camfence_policy_loads_total)" = 2

# each write replaces the file (a new inode renamed over it), never
# rewrites it where node_exporter may be reading
ino=$(stat -c %i "$prom")
check "each write is a new file renamed over the old one" \
	wait_for 3 bash -c "test \"\$(stat -c %i $prom)\" != $ino"
check "no temporary file is left" test "$(ls -A "$mdir")" = camfence.prom

# the directory goes away: said once, enforcement goes on, and the file
# comes back with it
fails_logged() { grep -c "metrics file $prom: cannot create $mdir/.camfence.prom.tmp: No such file or directory; enforcement goes on" "$CF_DIR/messages" || true; }
rm -rf "$mdir"
sleep 4	# four writes that fail
check "write failures: logged once, not every second" test "$(fails_logged)" -eq 1
check "write failures: counted" test "$(ctl metrics | prom - value camfence_metrics_write_failures_total)" -ge 3
check "write failures: the cloud is still blocked" \
	fails quiet cam "$CAMGEN" tcp --dst "${CLOUD_IPS[1]}" --port 443 --timeout-ms 300
mkdir "$mdir"
check "write failures: the file comes back" wait_for 3 test -s "$prom"
check "write failures: its coming back is said" \
	wait_for 2 grep -q "metrics file $prom is written again" "$CF_DIR/messages"
check "write failures: still one failure line" test "$(fails_logged)" -eq 1

# on stop, the last counts stay, their timestamp telling their age: a
# daemon that writes hourly writes once at start and once as it stops
quiet ctl stop
check "stop: camfenced is gone" wait_for 5 bash -c "! kill -0 $(cat "$CF_DIR/camfenced.pid")"
check "stop: the file is left, whole" quiet prom "$prom" check
rm -f "$prom"
daemon_up "$conf" --metrics-file "$prom" --metrics-interval 3600
wait_for 3 test -s "$prom"
ino=$(stat -c %i "$prom")
sleep 2
check "an hourly file is not rewritten every second" test "$(stat -c %i "$prom")" = "$ino"
before=$(date +%s)
quiet ctl stop
wait_for 5 bash -c "! kill -0 $(cat "$CF_DIR/camfenced.pid")"
check "stop: a last write as it stopped" \
	$PY -c "import sys; sys.exit(not float(sys.argv[1]) >= $before)" \
	"$(prom "$prom" value camfence_metrics_written_timestamp_seconds)"
check "stop: no temporary file is left" test "$(ls -A "$mdir")" = camfence.prom

exit "$CF_FAILED"
