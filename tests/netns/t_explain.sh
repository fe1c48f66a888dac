#!/usr/bin/env bash
# camfencectl explain on the language example: the device, group, policy
# and rule that decide, and a precise error for every bad argument.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

conf=$CF_ROOT/tests/policies/good/language.conf
ex() { "$CAMFENCECTL" -c "$conf" explain "$@" 2>&1; }
line_of() { grep -n -- "$1" "$conf" | head -n 1 | cut -d: -f1; }

out=$(ex 44:19:b6:10:20:30 47.88.59.209 udp 32100)
check "the longest MAC match names the device" grep -q "^device: group hikvision, recognised at $conf:$(line_of 'mac 44:19:b6:10:20:30')$" <<<"$out"
check "the deny rule of the included set decides" grep -q "^  $conf:$(line_of 'deny to dahua-cloud'): deny to dahua-cloud log 10/minute$" <<<"$out"
check "verdict deny" grep -q '^verdict: deny$' <<<"$out"

out=$(ex 44:19:b6:aa:bb:cc 47.88.59.209 udp 32100)
check "vendor member: another Hikvision MAC by its OUI" grep -q "^device: group hikvision, recognised at $conf:$(line_of 'vendor hikvision')$" <<<"$out"

out=$(ex --iface lan2 --vlan 31 02:11:22:33:44:55 192.0.2.9 tcp 443)
check "a VLAN in no zone is not filtered" grep -q '^zone: none' <<<"$out"

out=$(ex 44:19:b6:10:20:30 192.168.20.10 tcp 8005)
check "port range through a named device: allow" grep -q '^verdict: allow$' <<<"$out"
check "port range: the rule line" grep -q "$(line_of 'allow to nvr1 tcp'):" <<<"$out"

out=$(ex 44:19:b6:10:20:30 192.168.20.10 tcp 8011)
check "one past the range: the default decides" grep -q '^rule: none matches; the default applies$' <<<"$out"

out=$(ex --iface lan2 --vlan 20 02:11:22:33:44:55 192.0.2.9 tcp 443)
check "unknown device in a VLAN zone gets the zone's policy" grep -q "^policy: quarantine (the zone's policy for unknown devices)$" <<<"$out"

out=$(ex nvr1 8.8.8.8 tcp 443)
check "a named device as the source" grep -q '^device: group nvrs' <<<"$out"

out=$(ex 2001:db8:10::5 2001:db8:20::1 icmpv6)
check "IPv6 source prefix member" grep -q '^device: group yi' <<<"$out"

out=$(ex --iface wan0 44:19:b6:10:20:30 192.0.2.1 tcp 80)
check "an interface in no zone is not filtered" grep -q '^zone: none' <<<"$out"

bad() {
	local what=$1 want=$2
	shift 2
	out=$(ex "$@")
	rc=$?
	check "bad argument, $what: exit non-zero" test "$rc" -ne 0
	check "bad argument, $what: says why" grep -q -- "$want" <<<"$out"
}
bad "source" "'zz' is not a MAC address, an address or a device" zz 192.0.2.1
bad "destination" "destination '192.0.2.0/24' is not an address" 44:19:b6:10:20:30 192.0.2.0/24
bad "protocol" "'sctp' is not a protocol" 44:19:b6:10:20:30 192.0.2.1 sctp
bad "port without tcp or udp" "a port needs protocol tcp or udp" 44:19:b6:10:20:30 192.0.2.1 icmp 80
bad "port" "'70000' is not a port" 44:19:b6:10:20:30 192.0.2.1 tcp 70000
bad "families" "are not of one address family" 2001:db8:10::5 192.0.2.1
bad "vlan" "'5000' is not a VLAN id" --vlan 5000 44:19:b6:10:20:30 192.0.2.1
bad "missing destination" "usage: camfencectl" 44:19:b6:10:20:30
out=$("$CAMFENCECTL" -c /nonexistent.conf explain 44:19:b6:10:20:30 192.0.2.1 2>&1)
check "a missing policy file: exit 1 and the file named" bash -c "[ $? -eq 1 ] && grep -q '/nonexistent.conf:1:1: cannot open' <<<'$out'"

exit "$CF_FAILED"
