#!/usr/bin/env bash
# camfencectl: every command with good and bad arguments, --json on every
# listing, and the errors an admin meets: no daemon, not root. camfenced
# itself refuses a client that is not root, whatever the socket's mode.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sandbox_down EXIT

sandbox_up
syslog_up
conf=$CF_DIR/camfence.conf
write_policy "$conf"

# exits CODE CMD...: the command exits with CODE
exits() {
	local want=$1 rc=0
	shift
	"$@" >"$CF_DIR/last.out" 2>"$CF_DIR/last.err" || rc=$?
	[ "$rc" -eq "$want" ]
}
# said PATTERN: the last command's stderr says so
said() { grep -q -- "$1" "$CF_DIR/last.err"; }
json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)' <"$CF_DIR/last.out"; }

check "no daemon: status exits 1" exits 1 ctl status
check "no daemon: and says camfenced is not running" said "camfenced is not running (nothing answers on $CF_DIR/ctl.sock)"

daemon_up "$conf"
cam "$CAMGEN" udp --dst "${CLOUD_IPS[0]}" --port 32100 --count 3 >/dev/null
cam "$CAMGEN" udp --dst "$NVR_IP" --port 5004 --count 3 >/dev/null
wait_for 5 grep -q "blocked udp" "$CF_DIR/messages"

for cmd in status devices flows blocked rules; do
	check "$cmd: exits 0" exits 0 ctl "$cmd"
	check "$cmd --json: exits 0" exits 0 ctl "$cmd" --json
	check "$cmd --json: is JSON" json_ok
	check "--json $cmd: the option before the command too" exits 0 ctl --json "$cmd"
	check "$cmd with an extra argument: exits 2" exits 2 ctl "$cmd" "$CAM_MAC" extra
done

check "status: names the policy and generation" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^policy $conf generation 1 '"
check "status: says whether the module is there" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status | grep -q '^module absent: camfence.ko is not loaded; XDP enforces alone'"
check "status --json: generation and interfaces" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl status --json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s[\"generation\"] == 1 and s[\"interfaces\"][0][\"name\"] == \"lan0\" and s[\"module\"][\"loaded\"] is False'"
check "devices: the camera with its group" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl devices | grep -q '^$CAM_MAC .*cams'"
check "devices --json: the camera's address" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl devices --json | python3 -c 'import json,sys; d=json.load(sys.stdin)[\"devices\"]; assert any(x[\"mac\"] == \"$CAM_MAC\" and \"$CAM_IP\" in x[\"addresses\"] for x in d), d'"
check "flows MAC: exits 0" exits 0 ctl flows "$CAM_MAC"
check "flows MAC --json: only that device" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl flows $CAM_MAC --json | python3 -c 'import json,sys; f=json.load(sys.stdin)[\"flows\"]; assert f and all(x[\"mac\"] == \"$CAM_MAC\" for x in f)'"
check "flows with a bad MAC: exits 1" exits 1 ctl flows nonsense
check "flows with a bad MAC: says what a MAC is" said "camfenced: flows: 'nonsense' is not a MAC address"
check "blocked: the cloud host" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl blocked | grep -q '${CLOUD_IPS[0]}:32100'"
check "blocked --since 1h: the cloud host" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl blocked --since 1h | grep -q '${CLOUD_IPS[0]}:32100'"
check "blocked --since @future: nothing" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ! ctl blocked --since @$(( $(date +%s) + 3600 )) | grep -q '${CLOUD_IPS[0]}'"
check "blocked --since garbage: exits 2" exits 2 ctl blocked --since 10x
check "blocked --since garbage: says why" said "camfencectl: blocked: --since: "
check "blocked --since without TIME: exits 2" exits 2 ctl blocked --since
check "blocked --detach: exits 2" exits 2 ctl blocked --detach
check "reload: exits 0" exits 0 ctl reload
check "reload: says the new generation" grep -q "^generation 2$" "$CF_DIR/last.out"
check "reload --json: exits 2" exits 2 ctl reload --json
check "reload with an argument: exits 2" exits 2 ctl reload now
check "rules: lists the allow rules" \
	bash -c "$(declare -f ctl rtr); CF_DIR=$CF_DIR NS_RTR=$NS_RTR CAMFENCECTL=$CAMFENCECTL; ctl rules | grep -q '$conf:13 *allow *lan-only'"
check "stop with a bad option: exits 2" exits 2 ctl stop --now
check "an unknown command: exits 2" exits 2 ctl frobnicate
check "an unknown command: named" said "unknown command 'frobnicate'"
check "check of the running file: exits 0" exits 0 ctl check "$conf"
check "check of a missing file: exits 1" exits 1 ctl check "$CF_DIR/missing.conf"
check "check with two files: exits 2" exits 2 ctl check "$conf" "$conf"
check "explain: a cloud packet is denied" exits 0 ctl -c "$conf" explain "$CAM_MAC" "${CLOUD_IPS[0]}" udp 32100
check "explain: says deny" grep -qi "deny" "$CF_DIR/last.out"
check "explain without a destination: exits 2" exits 2 ctl -c "$conf" explain "$CAM_MAC"
check "version: exits 0" exits 0 ctl version

# the daemon's own checks, past camfencectl
raw() { echo "$1" | ip netns exec "$NS_RTR" socat - "UNIX-CONNECT:$CF_DIR/ctl.sock"; }
check "socket: an unknown command is refused" bash -c "$(declare -f raw); CF_DIR=$CF_DIR NS_RTR=$NS_RTR; raw frob | grep -q \"^error: unknown command 'frob'\""
check "socket: an unknown option is refused" bash -c "$(declare -f raw); CF_DIR=$CF_DIR NS_RTR=$NS_RTR; raw 'status --frob' | grep -q \"^error: unknown option '--frob'\""
check "socket: a bad --since is refused" bash -c "$(declare -f raw); CF_DIR=$CF_DIR NS_RTR=$NS_RTR; raw 'blocked --since=@x' | grep -q '^error: .*--since=@EPOCH'"
check "socket: an empty request is refused" bash -c "$(declare -f raw); CF_DIR=$CF_DIR NS_RTR=$NS_RTR; raw '' | grep -q '^error: empty request'"
check "socket: a silent client does not stall the daemon" \
	bash -c "(sleep 4 | ip netns exec $NS_RTR socat - UNIX-CONNECT:$CF_DIR/ctl.sock >/dev/null) & sleep 0.2; ip netns exec $NS_RTR timeout 3 $CAMFENCECTL -s $CF_DIR/ctl.sock status >/dev/null"

# not root: the socket is root's alone, and camfencectl says so
chmod 755 "$CF_DIR"
nobody() { rtr setpriv --reuid=65534 --regid=65534 --clear-groups "$CAMFENCECTL" -s "$CF_DIR/ctl.sock" "$@"; }
for cmd in status devices flows blocked rules reload stop; do
	check "not root: $cmd exits 1" exits 1 nobody "$cmd"
	check "not root: $cmd is told to run as root" said "permission denied on $CF_DIR/ctl.sock: run as root"
done
check "not root: the daemon still runs" quiet ctl status

# the daemon's own check (SO_PEERCRED), past the socket's mode: with the
# socket opened to everyone, a client that is not root is still refused
gen() { ctl status | awk '/^policy/ { print $4 }'; }
gen0=$(gen)
chmod 0666 "$CF_DIR/ctl.sock"
for cmd in status reload stop; do
	check "not root, socket open to all: $cmd exits 1" exits 1 nobody "$cmd"
	check "not root, socket open to all: camfenced refuses $cmd, naming the uid" \
		said "^camfenced: camfenced answers root only; uid 65534 is refused$"
done
check "not root, socket open to all: a raw request is refused too" \
	bash -c "echo reload | ip netns exec $NS_RTR setpriv --reuid=65534 --regid=65534 --clear-groups socat - UNIX-CONNECT:$CF_DIR/ctl.sock | grep -q '^error: camfenced answers root only; uid 65534 is refused$'"
check "not root, socket open to all: nothing was reloaded" test "$(gen)" = "$gen0"
check "not root, socket open to all: nothing was stopped" quiet ctl status
check "not root, socket open to all: the refusal is logged with the uid" \
	wait_for 2 grep -q "camfenced\[[0-9]*\]: control socket $CF_DIR/ctl.sock: a client of uid 65534 was refused: camfenced answers root only" "$CF_DIR/messages"
chmod 0600 "$CF_DIR/ctl.sock"

# a socket directory others could write to: they could put a socket of
# their own where camfencectl looks; refused before anything is attached
mkdir -m 0777 "$CF_DIR/open"
set +e
rtr "$CAMFENCED" -f -c "$conf" -s "$CF_DIR/open/ctl.sock" --pidfile "$CF_DIR/open.run" \
	--pin-dir none >"$CF_DIR/open.out" 2>&1
rc=$?
set -e
check "socket in a directory anyone may write to: camfenced exits 1" test "$rc" -eq 1
check "socket in a directory anyone may write to: says which and what to do" \
	grep -q "control socket $CF_DIR/open/ctl.sock: its directory $CF_DIR/open is writable by group and others (mode 0777), who could put a socket of their own in camfenced's place: chmod go-w $CF_DIR/open" "$CF_DIR/open.out"
check "socket in a directory anyone may write to: the running daemon is untouched" \
	test "$(gen)" = "$gen0"

exit "$CF_FAILED"
