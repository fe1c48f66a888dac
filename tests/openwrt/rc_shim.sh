# rc_shim.sh: runs a procd init script's start or reload as OpenWrt's
# /etc/rc.common would, with only as much of rc.common, procd.sh and
# functions.sh as that takes. Every message the script would send procd
# is written to $PROCD_LOG instead, one line per item:
#
#   service NAME               procd_open_service
#   instance                   procd_open_instance
#   command<TAB>ARG<TAB>ARG... a parameter as procd would get it (one
#   respawn, reload_signal<TAB>HUP, ...   line each, appends merged)
#   trigger<TAB>config.change<TAB>PACKAGE   procd_add_reload_trigger
#   send                       procd_close_service: the message goes out
#
# UCI is read from $UCI_CONFIG_DIR; logger writes to $LOGGER_LOG.
#
#   busybox ash rc_shim.sh INITSCRIPT start|reload [VAR=VALUE...]
#
# The assignments are made after the init script is read, so they can
# point PROG and the like at a build tree.

initscript=$1
action=$2
shift 2

tab=$(printf '\t')

# ---- functions.sh: UCI ----

config_load() {
	local assignments

	assignments=$(awk -v q="'" '
		function unquote(s) { gsub(/^["\047]|["\047]$/, "", s); return s }
		$1 == "config" { sec = ($3 != "") ? unquote($3) : "cfg" ++n; next }
		$1 == "option" {
			v = $0
			sub(/^[ \t]*option[ \t]+[^ \t]+[ \t]*/, "", v)
			printf "CONFIG_%s_%s=%s%s%s\n", sec, $2, q, unquote(v), q
		}' "$UCI_CONFIG_DIR/$1") || return 1
	eval "$assignments"
}

config_get() {
	eval "$1=\${CONFIG_$2_$3:-\$4}"
}

config_get_bool() {
	local _v

	config_get _v "$2" "$3" "$4"
	case "$_v" in
	1|on|true|yes|enabled) _v=1 ;;
	0|off|false|no|disabled) _v=0 ;;
	*) _v=$4 ;;
	esac
	eval "$1=\$_v"
}

logger() {
	local tag= prio=

	while [ $# -gt 0 ]; do
		case "$1" in
		-t) tag=$2; shift 2 ;;
		-p) prio=$2; shift 2 ;;
		*) break ;;
		esac
	done
	if [ $# -gt 0 ]; then
		echo "$tag $prio $*" >>"$LOGGER_LOG"
	else
		sed "s/^/$tag $prio /" >>"$LOGGER_LOG"
	fi
}

# ---- procd.sh: the messages ----

_shim_params=

_shim_record() {
	echo "$*" >>"$PROCD_LOG"
}

# one argument per field, tab-separated
_shim_join() {
	local out= a

	for a in "$@"; do
		out="$out$tab$a"
	done
	printf '%s' "$out"
}

procd_open_service() { _shim_record "service $1"; }
procd_close_service() { _shim_record send; }

procd_open_instance() {
	_shim_params=
	_shim_record instance
}

# params are kept as "TYPE<TAB>ARG..." lines, in the order first set
procd_set_param() {
	local type=$1

	shift
	_shim_params=$(printf '%s\n' "$_shim_params" | grep -v "^$type$tab\|^$type\$")
	_shim_params="$_shim_params
$type$(_shim_join "$@")"
}

procd_append_param() {
	local type=$1 line

	shift
	line=$(printf '%s\n' "$_shim_params" | grep "^$type$tab\|^$type\$")
	if [ -z "$line" ]; then
		procd_set_param "$type" "$@"
		return
	fi
	_shim_params=$(printf '%s\n' "$_shim_params" | sed "s|^$type\\($tab.*\\)\\{0,1\\}\$|&$(_shim_join "$@" | sed 's/[|&\\]/\\&/g')|")
}

procd_close_instance() {
	printf '%s\n' "$_shim_params" | grep -v '^$' >>"$PROCD_LOG"
	_shim_params=
}

procd_add_reload_trigger() {
	local p

	for p in "$@"; do
		_shim_record "trigger${tab}config.change$tab$p"
	done
}

# ---- rc.common ----

. "$initscript"

for assignment in "$@"; do
	eval "${assignment%%=*}=\${assignment#*=}"
done

start() {
	procd_open_service "$(basename "$initscript")" "$initscript"
	start_service
	if type service_triggers >/dev/null 2>&1; then
		service_triggers
	fi
	procd_close_service
}

reload() {
	if type reload_service >/dev/null 2>&1; then
		reload_service
	else
		start
	fi
}

case "$action" in
start|reload) "$action" ;;
*) echo "rc_shim.sh: $action: only start and reload" >&2; exit 2 ;;
esac
