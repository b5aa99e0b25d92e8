# shellcheck shell=bash disable=SC2153
# Shared helpers of deploy/local/*.sh: logging, package installs, detached
# processes with pid files, readiness polling, log tails on failure, and the
# start|stop|status|restart dispatch. Source it, do not run it.
#
# A server script defines:
#   NAME      short name, e.g. clickhouse
#   PIDFILE   .run/<server>/<server>.pid
#   MARKER    a string unique to our process's command line (the path of its
#             config file inside .run), so a recycled pid or the same server
#             started by someone else is never taken for ours
#   PROC_EXE  basename of the server's executable (java, clickhouse-server, ...)
#   LOGS      array of log files to show when a start fails
#   STATE_FILE, SETTINGS  where and which env settings (ports, version) are
#             recorded at start; a start with other values restarts the server
# and the functions srv_install, srv_prepare (write configs), srv_launch
# (start_daemon ...), srv_ready (one readiness probe, 0 = answers),
# srv_describe (lines printed after a start); optionally srv_precheck,
# srv_pre_stop, srv_settings_changed; then it calls `main "$@"`.

set -euo pipefail

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${LOCAL_DIR}/.run"
BIND_HOST=127.0.0.1
START_TIMEOUT="${START_TIMEOUT:-90}" # seconds a start may take to answer
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"   # seconds between SIGTERM and SIGKILL
TAIL_LINES=50

log() { printf '[deploy/local] %s\n' "$*"; }
warn() { printf '[deploy/local] WARNING: %s\n' "$*" >&2; }
die() {
	printf '[deploy/local] ERROR: %s\n' "$*" >&2
	exit 1
}

# now_ms: milliseconds since the epoch (for durations).
now_ms() { date +%s%3N; }
# since SECONDS_START_MS: "1.2s"
since() {
	local ms=$(($(now_ms) - $1))
	printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

# ---------------------------------------------------------------- packages

SUDO=""
if [[ $EUID -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt_install PKG...: installs the missing ones with apt-get, non-interactive,
# without recommends and without letting postinst scripts start system
# services (a temporary /usr/sbin/policy-rc.d answering 101, if none exists).
apt_install() {
	local missing=() p
	for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
	((${#missing[@]})) || return 0
	if [[ $EUID -ne 0 && -z $SUDO ]]; then
		die "not root and no sudo: install ${missing[*]} yourself (apt-get install ${missing[*]})"
	fi
	mkdir -p "$RUN_DIR"
	local aptlog="$RUN_DIR/apt.log" policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
	log "installing ${missing[*]} with apt-get (log: $aptlog)"
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\n# temporary, written by deploy/local/lib.sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
		$SUDO chmod 755 "$policy"
		own_policy=1
	fi
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
	if [[ -n $SUDO ]]; then apt=("$SUDO" "${apt[@]}"); fi
	if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
		log "apt-get install failed, running apt-get update and trying again"
		"${apt[@]}" update >>"$aptlog" 2>&1 || true
		"${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1 || rc=$?
	fi
	if ((own_policy)); then $SUDO rm -f "$policy"; fi
	if ((rc != 0)); then
		tail_logs "$aptlog"
		die "apt-get install ${missing[*]} failed"
	fi
}

# ensure_curl: the readiness probes of the HTTP servers use curl.
ensure_curl() { command -v curl >/dev/null 2>&1 || apt_install curl; }

# stop_package_daemon EXE USER: a package's postinst (or an init system) may
# have started the package's own daemon (program EXE, running as USER), which
# would hold our port: stop it. Our processes run as root, never as USER.
stop_package_daemon() {
	local exe=$1 user=$2 pid pids=() i alive
	id -u "$user" >/dev/null 2>&1 || return 0
	for pid in $(pgrep -u "$user" 2>/dev/null || true); do
		[[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$exe" ]] && pids+=("$pid")
	done
	((${#pids[@]})) || return 0
	log "stopping the system's own $exe (pid ${pids[*]}, user $user) so that it does not hold our ports"
	$SUDO kill -TERM "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		alive=0
		for pid in "${pids[@]}"; do [[ -e /proc/$pid/exe ]] && alive=1; done
		((alive)) || return 0
		sleep 0.1
	done
	$SUDO kill -KILL "${pids[@]}" 2>/dev/null || true
}

# ------------------------------------------------------- processes, pidfiles

# proc_matches PID MARKER: the process lives, runs the program PROC_EXE (the
# basename of /proc/PID/exe, when the script sets PROC_EXE) and its command
# line has MARKER. A zombie has neither exe nor command line: no match.
proc_matches() {
	local pid=$1 marker=$2 cmd exe
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	if [[ -n ${PROC_EXE:-} ]]; then
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
		[[ ${exe##*/} == "$PROC_EXE" ]] || return 1
	fi
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"$marker"* ]]
}

# find_pid PIDFILE MARKER: prints the pid of our running server, from the
# pid file, or else by its unique marker (pid file lost); 1 if none.
find_pid() {
	local pidfile=$1 marker=$2 pid
	if [[ -s $pidfile ]]; then
		pid=$(<"$pidfile")
		if proc_matches "$pid" "$marker"; then
			echo "$pid"
			return 0
		fi
	fi
	for pid in $(pgrep -f -- "$marker" 2>/dev/null || true); do
		[[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
		if proc_matches "$pid" "$marker"; then
			echo "$pid" >"$pidfile"
			echo "$pid"
			return 0
		fi
	done
	return 1
}

# start_daemon PIDFILE LOGFILE CMD...: runs CMD detached from us (own session,
# stdin /dev/null, stdout and stderr appended to LOGFILE, so a caller that
# reads our output is never held open by the server) and writes its pid.
start_daemon() {
	local pidfile=$1 logfile=$2 i
	shift 2
	mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
	rm -f "$pidfile"
	printf '\n===== %s [deploy/local] starting: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logfile"
	# shellcheck disable=SC2016
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
	# the pid file appears before the launcher has exec'ed the server: wait
	# for the exec too, so that find_pid sees the server from now on
	for ((i = 0; i < 200; i++)); do
		if [[ -s $pidfile ]]; then
			proc_matches "$(<"$pidfile")" "$MARKER" && return 0
			kill -0 "$(<"$pidfile")" 2>/dev/null || return 0 # died: wait_ready reports it
		fi
		sleep 0.05
	done
	tail_logs "$logfile"
	die "could not launch $1 (pid file $pidfile, log $logfile)"
}

# stop_daemon: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL. Idempotent.
stop_daemon() {
	local pid t0 deadline
	if ! pid=$(find_pid "$PIDFILE" "$MARKER"); then
		rm -f "$PIDFILE"
		log "$NAME is not running"
		return 0
	fi
	t0=$(now_ms)
	# in a subshell: the recorded settings must not leak into a restart
	(
		state_load
		srv_pre_stop
	) || true
	log "stopping $NAME (pid $pid, SIGTERM)"
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((t0 + STOP_TIMEOUT * 1000))
	while proc_matches "$pid" "$MARKER" && (($(now_ms) < deadline)); do sleep 0.1; done
	if proc_matches "$pid" "$MARKER"; then
		warn "$NAME (pid $pid) still running after ${STOP_TIMEOUT}s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		while proc_matches "$pid" "$MARKER"; do sleep 0.1; done
	fi
	rm -f "$PIDFILE"
	log "$NAME stopped in $(since "$t0")"
}

# ------------------------------------------------------------------ state
# The settings a server was started with (ports, version) are recorded in
# STATE_FILE, so status/stop/start talk to the running server even when the
# environment of a later call differs. SETTINGS names those variables.

state_save() {
	local v
	: >"$STATE_FILE"
	for v in "${SETTINGS[@]}"; do printf '%s=%q\n' "$v" "${!v}" >>"$STATE_FILE"; done
}

# state_diff: "VAR: running X, requested Y" for each setting that differs.
state_diff() {
	[[ -s $STATE_FILE ]] || return 0
	local v line
	for v in "${SETTINGS[@]}"; do
		line=$(grep -m1 "^$v=" "$STATE_FILE" || true)
		[[ -n $line ]] || continue
		[[ ${line#*=} == "$(printf '%q' "${!v}")" ]] ||
			printf '%s: running %s, requested %s; ' "$v" "${line#*=}" "${!v}"
	done
}

state_load() {
	# shellcheck disable=SC1090
	if [[ -s $STATE_FILE ]]; then source "$STATE_FILE"; fi
	srv_settings_changed
}

# srv_settings_changed: a server script may recompute derived values here.
srv_settings_changed() { :; }
# srv_precheck: a server script may validate the requested settings here,
# before a running server is stopped for a restart with them.
srv_precheck() { :; }
# srv_pre_stop: a server script may prepare a quick stop here (best effort).
srv_pre_stop() { :; }

# --------------------------------------------------------- ports, readiness

# port_open [HOST] PORT: something accepts TCP connections there.
port_open() {
	local host=$BIND_HOST port
	if (($# == 2)); then host=$1; fi
	port=${!#}
	(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# wait_for_port HOST PORT TIMEOUT
wait_for_port() {
	local host=$1 port=$2 timeout=$3 deadline
	deadline=$(($(now_ms) + timeout * 1000))
	until port_open "$host" "$port"; do
		(($(now_ms) < deadline)) || return 1
		sleep 0.2
	done
}

# port_owner PORT: "pid/command" lines of whoever listens on PORT (best effort).
port_owner() {
	if command -v ss >/dev/null 2>&1; then
		ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -3
	fi
}

# require_free_port PORT WHAT: fail when another process already listens there.
require_free_port() {
	local port=$1 what=$2
	if port_open "$port"; then
		die "port $port ($what) on $BIND_HOST is already in use by another process: $(port_owner "$port" | tr '\n' ' ')— stop it or pick another port (see deploy/local/README.md)"
	fi
}

# http_ok URL: the URL answers 2xx.
http_ok() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

# tail_logs FILE...: the last TAIL_LINES lines of each existing log file.
tail_logs() {
	local f
	for f in "$@"; do
		[[ -s $f ]] || continue
		printf '[deploy/local] ---- last %d lines of %s ----\n' "$TAIL_LINES" "$f" >&2
		tail -n "$TAIL_LINES" "$f" >&2
		printf '[deploy/local] ---- end of %s ----\n' "$f" >&2
	done
}

# wait_ready: polls srv_ready until it answers, the process dies, or
# START_TIMEOUT passes; on failure shows the logs, kills the half-started
# server and exits non-zero.
wait_ready() {
	local t0=$1 deadline pid
	deadline=$((t0 + START_TIMEOUT * 1000))
	while :; do
		if srv_ready; then return 0; fi
		if ! pid=$(find_pid "$PIDFILE" "$MARKER"); then
			tail_logs "${LOGS[@]}"
			die "$NAME exited during startup (see the log above)"
		fi
		if (($(now_ms) >= deadline)); then
			tail_logs "${LOGS[@]}"
			warn "$NAME did not answer within ${START_TIMEOUT}s, stopping it"
			STOP_TIMEOUT=5 stop_daemon >&2 || true
			die "$NAME did not become ready within ${START_TIMEOUT}s (START_TIMEOUT=...)"
		fi
		sleep 0.3
	done
}

# ------------------------------------------------------------------ actions

do_start() {
	local pid t0 diff
	if pid=$(find_pid "$PIDFILE" "$MARKER"); then
		diff=$(state_diff)
		if [[ -n $diff ]]; then
			srv_precheck
			log "$NAME (pid $pid) runs with other settings (${diff%; }): restarting it"
			stop_daemon
			do_start
			return
		fi
		if srv_ready; then
			log "$NAME is already running (pid $pid)"
			srv_describe
			return 0
		fi
		log "$NAME is running (pid $pid) but not answering yet, waiting up to ${START_TIMEOUT}s"
		wait_ready "$(now_ms)"
		log "$NAME is ready (pid $pid)"
		srv_describe
		return 0
	fi
	t0=$(now_ms)
	srv_install
	srv_prepare
	srv_launch
	state_save
	pid=$(find_pid "$PIDFILE" "$MARKER" || cat "$PIDFILE" 2>/dev/null || echo '?')
	log "$NAME launched (pid $pid), waiting until it answers (up to ${START_TIMEOUT}s)"
	wait_ready "$t0"
	log "$NAME is ready in $(since "$t0") (pid $pid)"
	srv_describe
}

do_status() {
	local pid
	if ! pid=$(find_pid "$PIDFILE" "$MARKER"); then
		log "$NAME is not running"
		return 1
	fi
	state_load
	if srv_ready; then
		log "$NAME is running and answering (pid $pid)"
		srv_describe
		return 0
	fi
	log "$NAME is running (pid $pid) but NOT answering"
	return 1
}

usage() {
	echo "usage: $0 ${ACTIONS:-start|stop|status|restart}" >&2
	exit 2
}

# lock: one start/stop/restart/install of a server at a time (fd 9, which
# start_daemon closes for the server so it never holds the lock).
lock() {
	mkdir -p "$SRV_DIR"
	exec 9>"$SRV_DIR/.lock"
	if ! flock -n 9; then
		log "another deploy/local/$NAME.sh is busy, waiting for it"
		flock -w 300 9 || die "gave up waiting for $SRV_DIR/.lock"
	fi
}

# main ACTION: dispatch. install only installs the packages / jars.
main() {
	(($# == 1)) || usage
	case "$1" in
	start | stop | restart | install) lock ;;
	esac
	case "$1" in
	start) do_start ;;
	stop) stop_daemon ;;
	status) do_status ;;
	restart)
		stop_daemon
		do_start
		;;
	install)
		srv_install
		log "$NAME is installed"
		;;
	*) usage ;;
	esac
}

# client_main PACKAGE ACTION: install|status of a client-only Debian package
# whose binary has the package's name (kcat, chromium); `version` prints its
# version line. Nothing runs, so start installs and stop does nothing.
client_main() {
	local pkg=$1
	case "${2:-}" in
	install | start)
		if have_pkg "$pkg" && command -v "$pkg" >/dev/null 2>&1; then
			log "$pkg is already installed ($(version))"
		else
			apt_install "$pkg"
			log "$pkg installed ($(version))"
		fi
		;;
	status)
		if command -v "$pkg" >/dev/null 2>&1; then
			log "$pkg is installed ($(version))"
		else
			log "$pkg is not installed"
			exit 1
		fi
		;;
	stop) log "$pkg has no server, nothing to stop" ;;
	*)
		echo "usage: $0 install|status" >&2
		exit 2
		;;
	esac
}
