#!/usr/bin/env bash
# camfencectl audit: the real camera capture run through the XDP program
# under a policy (BPF_PROG_TEST_RUN, no namespaces needed): the phone's
# stream passes, the three cloud hosts are blocked by the default, and a
# rule that allows one of them shows it passed. Needs root, for BPF.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PCAP=${CAMFENCE_PCAP:-$CF_ROOT/../shared/testdata/yi_camera_sample.pcap}
if [ ! -r "$PCAP" ]; then
	echo "SKIP audit of a real capture: $PCAP is not present"
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP audit of a real capture: BPF_PROG_TEST_RUN needs root"
	exit 77
fi
CF_DIR=$(mktemp -d "/tmp/camfence-$CF_TAG.XXXXXX")
trap 'rm -rf "$CF_DIR"' EXIT

info=$("$CAMGEN" pcap-info "$PCAP")
camera_is "$(awk '$1 == "camera_mac" { print $2 }' <<<"$info")" \
	"$(awk '$1 == "camera_ipv4" { print $2 }' <<<"$info")"
CLOUD=(47.88.59.209 47.90.240.160 47.74.255.9)
conf=$CF_DIR/camfence.conf
write_policy "$conf"
lan_rule=$(grep -n "allow to $LAN_NET.0/24" "$conf" | cut -d: -f1)
default_line=$(grep -n "default deny" "$conf" | cut -d: -f1)

# audit POLICY: the report in $CF_DIR/out, errors in $CF_DIR/err, exit status in rc
audit() {
	set +e
	"$CAMFENCECTL" audit --policy "$@" >"$CF_DIR/out" 2>"$CF_DIR/err"
	rc=$?
	set -e
}
re() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }
# has VERDICT COUNT PROTO DESTINATION WHY: a line of the report
has() { grep -Eq "^  $1 +$2  $3 +$(re "$4") +$(re "$5")\$" "$CF_DIR/out"; }
peer_count() { awk -v d="$1" -v p="$2" '$1 == "peer" && $2 == d && $4 == p { n += $5 } END { print n + 0 }' <<<"$info"; }

audit "$conf" "$PCAP"
check "audit: exit 0" test "$rc" -eq 0
check "audit: header names the capture, the policy and the zone" \
	grep -q "^audit of $PCAP under $conf (zone cameras): $(awk '$1 == "frames" { print $2 }' <<<"$info") frames, 0 skipped: " "$CF_DIR/out"

cam_frames=$(awk '$1 == "camera_frames" { print $2 }' <<<"$info")
want_blocked=0
for ip in "${CLOUD[@]}"; do
	want_blocked=$((want_blocked + $(peer_count "$ip" 32100)))
done
check "audit: the camera's line: $((cam_frames - want_blocked)) passed, $want_blocked blocked" \
	grep -qx "device $CAM_MAC (group cams, policy lan-only): $cam_frames frames: $((cam_frames - want_blocked)) passed, $want_blocked blocked" "$CF_DIR/out"
while read -r _ ip proto port n; do
	[ "${ip%.*}" = "$LAN_NET" ] || continue
	check "audit: $n datagrams to $ip:$port passed by the LAN rule" \
		has passed "$n" "$proto" "$ip:$port" "by rule $conf:$lan_rule"
done < <(grep '^peer ' <<<"$info")
for ip in "${CLOUD[@]}"; do
	check "audit: cloud host $ip blocked 3 times by the default" \
		has blocked 3 udp "$ip:32100" "by default deny $conf:$default_line"
done
check "audit: the camera's ARP passes as essential" \
	grep -Eq "^  passed +[0-9]+  arp +- +essential \(ARP\)$" "$CF_DIR/out"
check "audit: the report adds up: every device's lines sum to its frames" \
	awk '/^device / { if (dev != "" && sum != want) bad = 1; dev = $2; want = $(NF - 5); sum = 0; next }
	     /^  (passed|blocked) / { sum += $2 }
	     END { if (sum != want) bad = 1; exit bad }' "$CF_DIR/out"

# allow the first cloud host: its datagrams now pass, by that rule
sed "s|^\tdefault deny|\tallow to ${CLOUD[0]} udp 32100\n\tdefault deny|" "$conf" >"$CF_DIR/allow.conf"
audit "$CF_DIR/allow.conf" "$PCAP"
check "audit, cloud host allowed: exit 0" test "$rc" -eq 0
check "audit, cloud host allowed: ${CLOUD[0]} passed by its rule" \
	has passed 3 udp "${CLOUD[0]}:32100" "by rule $CF_DIR/allow.conf:$default_line"
check "audit, cloud host allowed: the others are still blocked" \
	has blocked 3 udp "${CLOUD[1]}:32100" "by default deny $CF_DIR/allow.conf:$((default_line + 1))"
check "audit, cloud host allowed: the camera has 3 blocks fewer" \
	grep -q "^device $CAM_MAC (group cams, policy lan-only): $cam_frames frames: $((cam_frames - want_blocked + 3)) passed, $((want_blocked - 3)) blocked$" "$CF_DIR/out"

printf 'zone cameras {\n\tinterface lan0\n}\npolicy p {\n\tallow to 300.1.1.1\n}\n' >"$CF_DIR/bad.conf"
audit "$CF_DIR/bad.conf" "$PCAP"
check "audit, bad policy: exit 1" test "$rc" -eq 1
check "audit, bad policy: FILE:LINE:COL error" grep -q "^$CF_DIR/bad.conf:5:11: " "$CF_DIR/err"
check "audit, bad policy: no report" test ! -s "$CF_DIR/out"

audit "$conf" "$CF_DIR/none.pcap"
check "audit, missing capture: exit 1" test "$rc" -eq 1
check "audit, missing capture: says which file and why" \
	grep -q "$CF_DIR/none.pcap: No such file or directory" "$CF_DIR/err"

audit "$conf" "$conf"
check "audit, not a capture: exit 1" test "$rc" -eq 1

audit "$conf" --zone nowhere "$PCAP"
check "audit, unknown zone: exit 1, the zones listed" \
	bash -c "test $rc -eq 1 && grep -q \"no zone named 'nowhere'; the zones are: cameras\" '$CF_DIR/err'"

exit "$CF_FAILED"
