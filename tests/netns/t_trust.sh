#!/usr/bin/env bash
# camfence itself: a policy file anyone but root could change is refused at
# start and at reload (the running policy staying in force), with the file,
# its owner or mode and what to do; `camfencectl check` only warns of it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"
target=${CLOUD_IPS[0]}
xdp_on_lan0() { ip -n "$NS_RTR" -d link show lan0 | grep -q prog/xdp; }
gen() { ctl status | awk '/^policy/ { print $4 }'; }
blocked() { ! cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 300 >/dev/null 2>&1; }
# start CONF: camfenced in the foreground on CONF, its output in start.out, $rc
start() {
	set +e
	rtr "$CAMFENCED" -f -c "$1" -s "$CF_DIR/bad.sock" --pidfile "$CF_DIR/bad.run" \
		--pin-dir none >"$CF_DIR/start.out" 2>&1
	rc=$?
	set -e
}

# ---- at start ----------------------------------------------------------------

chmod 0666 "$conf"
start "$conf"
check "writable file at start: exit 1" test "$rc" -eq 1
check "writable file at start: names the file, its mode and the chmod" \
	grep -q "^$conf:1:1: writable by group and others (mode 0666): chmod go-w $conf; camfenced reads no policy file that anyone but root could change" "$CF_DIR/start.out"
check "writable file at start: nothing attached" fails xdp_on_lan0
check "camfenced --check of it exits 1" fails quiet "$CAMFENCED" --check "$conf"
check "camfencectl check of it exits 0" quiet "$CAMFENCECTL" check "$conf"
check "camfencectl check of it warns, naming the fix" \
	bash -c "'$CAMFENCECTL' check '$conf' 2>&1 >/dev/null | grep -q '^$conf:1:1: warning: writable by group and others (mode 0666): chmod go-w $conf; camfenced refuses the file until then'"
chmod 0644 "$conf"

chown 65534 "$conf"
start "$conf"
check "file of another user at start: exit 1" test "$rc" -eq 1
check "file of another user at start: names the owner and the chown" \
	grep -q "^$conf:1:1: owned by uid 65534[ (a-z)]*, not root: only root may change what camfenced enforces: chown root $conf" "$CF_DIR/start.out"
chown 0 "$conf"

# an include: the error is at the include statement and names the file
mkdir "$CF_DIR/sites"
sed 's/^zone cameras {$/include sites\/zone.conf\nzone unused {/' "$conf" >"$CF_DIR/top.conf"
printf 'zone cameras {\n\tinterface lan0\n\tunknown deny\n}\n' >"$CF_DIR/sites/zone.conf"
sed -i 's/^\tinterface lan0$/\tinterface nvr0/' "$CF_DIR/top.conf"
check "the include layout is good" quiet "$CAMFENCED" --check "$CF_DIR/top.conf"
chmod 0620 "$CF_DIR/sites/zone.conf"
start "$CF_DIR/top.conf"
check "writable include at start: exit 1" test "$rc" -eq 1
check "writable include at start: at the include, naming the included file" \
	grep -q "^$CF_DIR/top.conf:1:9: sites/zone.conf: writable by group (mode 0620): chmod g-w $CF_DIR/sites/zone.conf" "$CF_DIR/start.out"
chmod 0644 "$CF_DIR/sites/zone.conf"
chmod 0777 "$CF_DIR/sites"
start "$CF_DIR/top.conf"
check "include in a directory anyone may write to: refused, naming the directory" \
	grep -q "sites/zone.conf: its directory $CF_DIR/sites is writable by group and others (mode 0777), who could put another file in its place: chmod go-w $CF_DIR/sites" "$CF_DIR/start.out"
chmod 1777 "$CF_DIR/sites"
check "the same directory with the sticky bit, as /tmp: accepted" \
	quiet "$CAMFENCED" --check "$CF_DIR/top.conf"

# ---- at reload -------------------------------------------------------------------

daemon_up "$conf"
check "generation 1 after start" test "$(gen)" = 1
check "cloud host blocked" blocked
# a change that would open the cloud host, in a file anyone may write
cp "$conf" "$conf.good"
sed -i "s|default deny|allow to $target tcp 443\n\tdefault deny|" "$conf"
chmod 0666 "$conf"
check "writable file at reload: camfencectl reload exits 1" fails quiet ctl reload
check "writable file at reload: logged with the file, mode and chmod" \
	wait_for 5 grep -q "camfenced\[[0-9]*\]: $conf:1:1: writable by group and others (mode 0666): chmod go-w $conf" "$CF_DIR/messages"
check "writable file at reload: the running policy stays, said" \
	grep -q "the running policy (generation 1) stays in force" "$CF_DIR/messages"
check "writable file at reload: generation is still 1" test "$(gen)" = 1
check "writable file at reload: the cloud host is still blocked" blocked
kill -HUP "$(cat "$CF_DIR/camfenced.pid")"
sleep 0.5
check "writable file at SIGHUP: generation is still 1" test "$(gen)" = 1
check "writable file at SIGHUP: the cloud host is still blocked" blocked
chmod 0644 "$conf"
check "fixed as told: reload succeeds" quiet ctl reload
check "fixed as told: generation 2" test "$(gen)" = 2
check "fixed as told: the change is in force" \
	quiet cam "$CAMGEN" tcp --dst "$target" --port 443 --timeout-ms 1000

exit "$CF_FAILED"
