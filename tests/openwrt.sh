#!/usr/bin/env bash
# contrib/openwrt, as far as it can be proven without OpenWrt: the procd
# init script run by busybox ash under tests/openwrt/rc_shim.sh (which
# records what procd would be sent) against this tree's camfenced, and the
# package Makefile's Build/Prepare and Build/Compile steps played with the
# host's compilers. Nothing here builds an OpenWrt package or image.
#
#   tests/openwrt.sh [BUILD]     BUILD: where camfenced is (build)
#
# Prints "openwrt: N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
camfenced=$(realpath "$build/camfenced")
pkg=contrib/openwrt
. tests/report.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/camfence-openwrt.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tab=$'\t'
policy=$scratch/etc/camfence/camfence.conf
install -D -m 0600 docs/examples/camfence.conf "$policy"
# as installed: the service is named after the script
install -D -m 0755 "$pkg/files/camfence.init" "$scratch/etc/init.d/camfence"

# uci FILE OPTION=VALUE...: the shipped /etc/config/camfence with these
# options set, its policy path pointed at the scratch policy
uci() {
	local out=$1 kv

	shift
	mkdir -p "${out%/*}"
	sed "s|option config '/etc/camfence/camfence.conf'|option config '$policy'|" \
		"$pkg/files/camfence.config" >"$out"
	for kv in "$@"; do
		sed -i "s|^\(\toption ${kv%%=*} \).*|\1'${kv#*=}'|" "$out"
		grep -qxF "${tab}option ${kv%%=*} '${kv#*=}'" "$out" || { echo "uci: no option ${kv%%=*}"; return 1; }
	done
}

# rc ACTION UCIDIR: the init script's ACTION; procd's messages in $scratch/procd.log
rc() {
	rm -f "$scratch/procd.log" "$scratch/logger.log"
	PROCD_LOG=$scratch/procd.log LOGGER_LOG=$scratch/logger.log UCI_CONFIG_DIR=$2 \
		busybox ash tests/openwrt/rc_shim.sh "$scratch/etc/init.d/camfence" "$1" PROG="$camfenced"
}

procd_log() { cat "$scratch/procd.log" 2>/dev/null; }

# the command line procd was given, one argument a line
procd_command() {
	procd_log | sed -n "s/^command$tab//p" | tr '\t' '\n'
}

sends_exactly() {
	local want=$1 got

	got=$(procd_log)
	[ "$got" = "$want" ] || { echo "procd was sent:"; echo "$got"; echo "expected:"; echo "$want"; return 1; }
}

syntax_ok() {
	sh -n "$1" && busybox ash -n "$1"
}

all_options=(syslog_remote='tcp://[2001:db8::514]:514' metrics_file="$scratch/var/prometheus/camfence.prom"
	metrics_interval=30 resolver='192.0.2.53:5353' resolve_min_ttl=60 alert_rate=5/minute
	alert_total=100/minute alert_window=120 max_devices=2048 max_flows=70000
	pin_dir=/sys/fs/bpf/camfence-owrt state_dir=/etc/camfence/state no_xdp=1)

start_all_options() {
	uci "$scratch/all/camfence" "${all_options[@]}" && rc start "$scratch/all" || return 1
	sends_exactly "service camfence
instance
command$tab$camfenced$tab--foreground$tab--config$tab$policy$tab--syslog-remote${tab}tcp://[2001:db8::514]:514$tab--metrics-file$tab$scratch/var/prometheus/camfence.prom$tab--metrics-interval${tab}30$tab--resolver${tab}192.0.2.53:5353$tab--resolve-min-ttl${tab}60$tab--alert-rate${tab}5/minute$tab--alert-total${tab}100/minute$tab--alert-window${tab}120$tab--max-devices${tab}2048$tab--max-flows${tab}70000$tab--pin-dir$tab/sys/fs/bpf/camfence-owrt$tab--state-dir$tab/etc/camfence/state$tab--no-xdp
respawn
reload_signal${tab}HUP
trigger${tab}config.change${tab}camfence
send"
}

# camfenced parses the options as given, in order; --check last exits
# before anything starts, so what it says is about the options
camfenced_takes_the_command() {
	local -a argv

	uci "$scratch/all/camfence" "${all_options[@]}" && rc start "$scratch/all" || return 1
	mapfile -t argv < <(procd_command)
	[ "${#argv[@]}" -gt 3 ] || { echo "no command sent"; return 1; }
	"${argv[@]}" --check "$policy" >/dev/null
}

metrics_dir_made() {
	[ -d "$scratch/var/prometheus" ] || { echo "$scratch/var/prometheus was not made"; return 1; }
}

start_shipped_config() {
	uci "$scratch/shipped/camfence" && rc start "$scratch/shipped" || return 1
	sends_exactly "service camfence
instance
command$tab$camfenced$tab--foreground$tab--config$tab$policy
respawn
reload_signal${tab}HUP
trigger${tab}config.change${tab}camfence
send"
}

start_disabled() {
	uci "$scratch/off/camfence" enabled=0 && rc start "$scratch/off" || return 1
	sends_exactly "service camfence
trigger${tab}config.change${tab}camfence
send"
}

# ACTION refused: exits non-zero, procd is sent nothing, the log says WHY
refused() {
	local action=$1 why=$2

	if rc "$action" "$scratch/shipped"; then
		echo "$action succeeded"
		return 1
	fi
	! grep -qx send <<<"$(procd_log)" || { echo "procd was sent:"; procd_log; return 1; }
	grep -qF -- "$why" "$scratch/logger.log" ||
		{ echo "the log does not say '$why':"; cat "$scratch/logger.log"; return 1; }
}

with_policy() {
	local content=$1

	shift
	printf '%b' "$content" >"$policy"
	"$@"
	local ret=$?
	install -m 0600 docs/examples/camfence.conf "$policy"
	return $ret
}

without_policy() {
	rm -f "$policy"
	"$@"
	local ret=$?
	install -m 0600 docs/examples/camfence.conf "$policy"
	return $ret
}

reload_bad_keeps_running() {
	local out

	out=$(refused reload "camfence.conf:2:10: expected 'allow' or 'deny'" 2>&1) || { echo "$out"; return 1; }
	out=$(rc reload "$scratch/shipped" 2>&1)
	grep -q "the running policy stays in force" <<<"$out" ||
		{ echo "reload did not say the running policy stays:"; echo "$out"; return 1; }
}

reload_good_sends_the_same() {
	uci "$scratch/shipped/camfence" && rc reload "$scratch/shipped" || return 1
	grep -qx send <<<"$(procd_log)" && [ "$(procd_command | tail -n 1)" = "$policy" ] ||
		{ procd_log; return 1; }
}

install_files_exist() {
	local f missing=

	for f in $(grep -o '\./files/[A-Za-z0-9._-]*' "$pkg/Makefile" | sort -u); do
		[ -f "$pkg/$f" ] || missing+=" $f"
	done
	[ -z "$missing" ] || { echo "Package/camfence/install takes what is not there:$missing"; return 1; }
}

# camfenced's options an OpenWrt admin sets through uci: every one --help
# names but those the init script sets itself or that have no place in a
# service (the defaults of the socket and pid file are OpenWrt's too)
not_uci='--config --foreground --socket --pidfile --check --version --help'

# every camfenced option has its uci option, and every uci option of the
# shipped /etc/config/camfence is one the init script reads
uci_covers_camfenced() {
	local mapping daemon opt name missing= unread=

	mapping=$( . "$pkg/files/camfence.init"; echo "$CAMFENCE_OPTIONS") || return 1
	daemon=$("$camfenced" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ -n "$daemon" ] || { echo "camfenced --help names no option"; return 1; }
	for opt in $daemon; do
		case " $not_uci --no-xdp " in *" $opt "*) continue ;; esac
		grep -qE "(^|[[:space:]])[a-z_]+:${opt#--}([[:space:]]|\$)" <<<"$mapping" || missing+=" $opt"
	done
	for name in $(sed -n "s/^${tab}option \([a-z_]*\) .*/\1/p" "$pkg/files/camfence.config"); do
		case "$name" in enabled|config|no_xdp) continue ;; esac
		grep -qE "(^|[[:space:]])$name:" <<<"$mapping" || unread+=" $name"
	done
	[ -z "$missing$unread" ] || {
		[ -z "$missing" ] || echo "camfenced options no uci option sets:$missing"
		[ -z "$unread" ] || echo "uci options the init script does not read:$unread"
		return 1
	}
}

# Build/Prepare's copy of the tree, the BPF objects Build/Compile makes with
# CompileBPF put in build/ (here from the host's clang), then the project's
# Makefile with CLANG=false for camfenced and camfencectl, as Build/Compile
# runs it: a program the package does not compile fails the build
prepared_tree_builds() {
	local tree=$scratch/pkg-build copied progs p

	copied=$(sed -n 's/.*cd $(CAMFENCE_SRC) && $(CP) \(.*\) $(PKG_BUILD_DIR)\/$/\1/p' "$pkg/Makefile")
	progs=$(sed -n 's/.*$(call CompileBPF,$(PKG_BUILD_DIR)\/bpf\/\([a-z_]*\)\.bpf\.c,.*/\1/p' "$pkg/Makefile")
	[ -n "$copied" ] || { echo "no copy line in Build/Prepare"; return 1; }
	[ -n "$progs" ] || { echo "no CompileBPF in Build/Compile"; return 1; }
	mkdir -p "$tree/build" && cp -r $copied "$tree/" || return 1
	for p in $progs; do
		clang -target bpf -O2 -g -I"$tree/include" -I"/usr/include/$(gcc -dumpmachine)" \
			-c "$tree/bpf/$p.bpf.c" -o "$tree/bpf/$p.bpf.o" || return 1
		cp "$tree/bpf/$p.bpf.o" "$tree/build/" || return 1
	done
	make -s -C "$tree" -j"$(nproc)" CLANG=false build/camfenced build/camfencectl >"$scratch/pkg-build.log" 2>&1 ||
		{ tail -n 20 "$scratch/pkg-build.log"; return 1; }
	"$tree/build/camfencectl" check "$policy" >/dev/null
}

check "camfence.init parses under sh -n and busybox ash -n" syntax_ok "$pkg/files/camfence.init"
check "start: camfenced --foreground --config POLICY, every uci option as its long option, respawn, SIGHUP on reload, a reload trigger" \
	start_all_options
check "start: camfenced accepts the command line it is given" camfenced_takes_the_command
check "start: the metrics file's directory is made (/var is a tmpfs)" metrics_dir_made
check "start with the shipped /etc/config/camfence: camfenced --foreground --config and nothing else" \
	start_shipped_config
check "start with enabled 0: procd gets no instance" start_disabled
check "start without a policy file: nothing sent to procd, the log says so" \
	without_policy refused start "does not exist"
check "start with a policy camfenced --check refuses: nothing sent, its error logged" \
	with_policy 'zone cameras {\n\tunknown maybe\n}\n' refused start "camfence.conf:2:10: expected 'allow' or 'deny', not 'maybe'"
check "reload with a refused policy: nothing sent, the running policy stays in force" \
	with_policy 'zone cameras {\n\tunknown maybe\n}\n' reload_bad_keeps_running
check "reload with a good policy: the same instance sent again (procd sends it SIGHUP)" \
	reload_good_sends_the_same
check "every camfenced option has its uci option, and the init script reads every one the package ships" \
	uci_covers_camfenced
check "every ./files/ file Package/camfence/install names is there" install_files_exist
check "Build/Prepare's copy builds camfenced and camfencectl around the BPF objects CompileBPF made (CLANG=false)" \
	prepared_tree_builds

echo "openwrt: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
