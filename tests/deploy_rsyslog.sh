#!/usr/bin/env bash
# The rsyslog configurations docs/deploy.md gives for a fleet, taken from
# the page itself and run: each passes rsyslogd -N1; in a network namespace
# of its own (unshare), the collector's files an alert as camfenced sends it
# (RFC 5424 with structured data, octet-counted TCP), and one a router's
# rsyslog forwards with the router's file, per router and as JSON.
#
# Prints "deploy-rsyslog: N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

. tests/report.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/camfence-rsyslog.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
chmod 0755 "$scratch"

# the indented block after the line that names FILE in docs/deploy.md
block_after() {
	awk -v name="\`$1\`" '
		!on && index($0, name) { on = 1; next }
		on && /^    / { sub(/^    /, ""); print; seen = 1; next }
		on && seen && /^$/ { print; next }
		on && seen { exit }' docs/deploy.md
}

extract() {
	block_after /etc/rsyslog.d/60-camfence-forward.conf >"$scratch/router.conf"
	block_after /etc/rsyslog.d/30-camfence.conf >"$scratch/collector.conf"
	grep -q omfwd "$scratch/router.conf" && grep -q mmpstrucdata "$scratch/collector.conf" ||
		{ echo "the two configurations are not where docs/deploy.md had them"; return 1; }
}

validates() {
	mkdir -p "$scratch/n1" &&
		printf 'global(workDirectory="%s")\ninclude(file="%s")\n' "$scratch/n1" "$1" >"$scratch/n1.conf" &&
		rsyslogd -N1 -f "$scratch/n1.conf"
}

# The two daemons as a collector (TCP 5514) and a router (its syslog input
# on TCP 5515 standing in for /dev/log), in a namespace that goes with them;
# what the router sends goes through socat (5516 to 5514), which keeps a copy
run_fleet() {
	local c=$scratch/collector r=$scratch/router

	mkdir -p "$c/log" "$r"
	sed "s|port=\"514\"|port=\"5514\"|; s|/var/log/camfence|$c/log|g" "$scratch/collector.conf" >"$c/camfence.conf"
	sed 's|target="collector.example.net" port="514"|target="127.0.0.1" port="5516"|' \
		"$scratch/router.conf" >"$r/camfence.conf"
	printf 'global(workDirectory="%s")\ninclude(file="%s")\n' "$c" "$c/camfence.conf" >"$c/main.conf"
	printf 'global(workDirectory="%s")\nmodule(load="imtcp")\ninput(type="imtcp" port="5515")\ninclude(file="%s")\n' \
		"$r" "$r/camfence.conf" >"$r/main.conf"
	cat >"$scratch/fleet.sh" <<-EOS
	ip link set lo up
	rsyslogd -n -i $c/pid -f $c/main.conf 2>$c/err & cpid=\$!
	rsyslogd -n -i $r/pid -f $r/main.conf 2>$r/err & rpid=\$!
	socat -v TCP-LISTEN:5516,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:5514 2>$r/sent & spid=\$!
	for i in \$(seq 50); do
		ss -Hltn 'sport = :5514' | grep -q . && ss -Hltn 'sport = :5515' | grep -q . &&
			ss -Hltn 'sport = :5516' | grep -q . && break
		sleep 0.1
	done
	# as camfenced's --syslog-remote sends it
	logger --rfc5424 --tcp --octet-count -n 127.0.0.1 -P 5514 -t camfenced --msgid blocked \
		--sd-id camfence@32473 --sd-param 'event="blocked"' --sd-param 'mac="b0:d5:9d:b9:f0:b4"' \
		--sd-param 'dst="47.88.59.209"' \
		'blocked udp 192.168.10.204:25508 -> 47.88.59.209:32100 iface lan0 mac b0:d5:9d:b9:f0:b4'
	# as local syslog hands camfenced's line to the router's rsyslog
	logger --rfc3164 --tcp -n 127.0.0.1 -P 5515 -t 'camfenced[812]' \
		'blocked tcp 192.168.10.64:40001 -> 203.0.113.7:443 iface lan0 mac 44:19:b6:10:20:30'
	logger --rfc3164 --tcp -n 127.0.0.1 -P 5515 -t dnsmasq 'not an alert'
	for i in \$(seq 50); do
		[ "\$(cat $c/log/alerts.json 2>/dev/null | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	sleep 0.3
	kill \$rpid \$cpid \$spid
	wait
	EOS
	timeout 30 unshare --net bash "$scratch/fleet.sh" || { cat "$c/err" "$r/err" 2>/dev/null; return 1; }
}

collector_files_direct() {
	local c=$scratch/collector
	/usr/bin/python3 - "$c/log/alerts.json" <<-'EOP' || return 1
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1])]
	sd = [l["alert"]["rfc5424-sd"]["camfence@32473"] for l in lines if "rfc5424-sd" in l["alert"]]
	assert any(s.get("dst") == "47.88.59.209" and s.get("mac") == "b0:d5:9d:b9:f0:b4" for s in sd), lines
	assert all(l["alert"]["router"] and l["time"] for l in lines), lines
	EOP
	grep -q '^[^ ]* [^ ]* blocked .*\[camfence@32473 [^]]*dst="47.88.59.209"[^]]*\] blocked udp 192.168.10.204:25508 ' \
		"$c/log/"*.log || { cat "$c/log/"*.log; return 1; }
}

collector_files_forwarded() {
	local c=$scratch/collector
	/usr/bin/python3 - "$c/log/alerts.json" <<-'EOP' || return 1
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1])]
	assert any(l["alert"]["msg"].startswith("blocked tcp 192.168.10.64:40001 -> 203.0.113.7:443")
	           for l in lines), lines
	EOP
}

# what the router put on the wire: camfenced's line, and no other program's
router_forwards_camfenced_only() {
	local sent=$scratch/router/sent

	grep -q 'camfenced .*blocked tcp 192.168.10.64:40001 -> 203.0.113.7:443' "$sent" &&
		! grep -q 'not an alert' "$sent" || { cat "$sent"; return 1; }
}

if check "docs/deploy.md holds the router's and the collector's rsyslog files" extract; then
	check "the router's rsyslog file passes rsyslogd -N1" validates "$scratch/router.conf"
	check "the collector's rsyslog file passes rsyslogd -N1" validates "$scratch/collector.conf"
	if check "a collector and a router rsyslogd run them (in a namespace of their own)" run_fleet; then
		check "the collector files camfenced's RFC 5424 alert per router and as JSON, its structured data parsed" \
			collector_files_direct
		check "a router's rsyslog forwards camfenced's lines, and no other program's" \
			router_forwards_camfenced_only
		check "the collector files what a router's rsyslog forwards, as JSON with the line in msg" \
			collector_files_forwarded
	fi
fi

echo "deploy-rsyslog: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
