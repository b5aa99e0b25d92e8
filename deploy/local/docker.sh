#!/usr/bin/env bash
# A Docker engine (Debian's docker.io, 20.10) as a background process of this
# checkout, for building and running the cxpulse image in CI: its socket, data
# root, exec root, log and pid file all live in deploy/local/.run/docker/.
# No system service, no bridge, no iptables (these machines have neither a
# service manager nor the rights an iptables setup needs): containers run with
# --network=host or --network=none only. Also installs Debian's docker-compose
# (1.29), which deploy/compose/check.sh uses to validate the compose file.
#
#   deploy/local/docker.sh start|stop|status|restart|install|host
#
# `host` prints the DOCKER_HOST value of our engine (unix:///…/docker.sock);
# use it as `DOCKER_HOST=$(deploy/local/docker.sh host) docker …`.
# Env: START_TIMEOUT (90), STOP_TIMEOUT (20).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

SETTINGS=()
NAME=docker
SRV_DIR="$RUN_DIR/docker"
SOCK="$SRV_DIR/docker.sock"
PIDFILE="$SRV_DIR/docker.pid"
STATE_FILE="$SRV_DIR/running.env"
MARKER="unix://$SOCK"
PROC_EXE=dockerd
LOG="$SRV_DIR/dockerd.log"
LOGS=("$LOG")
# Debian's client, the same version as the engine (a newer client elsewhere
# on the PATH, e.g. /usr/local/bin/docker, may ask for a newer API).
DOCKER=/usr/bin/docker

if [[ ${1:-} == host ]]; then
	echo "$MARKER"
	exit 0
fi

srv_install() {
	apt_install docker.io docker-compose
}

srv_prepare() {
	# a socket left by a killed engine would make dockerd refuse to start
	[[ -S $SOCK ]] && rm -f "$SOCK"
	mkdir -p "$SRV_DIR/data" "$SRV_DIR/exec"
}

srv_launch() {
	start_daemon "$PIDFILE" "$LOG" /usr/sbin/dockerd \
		-H "unix://$SOCK" \
		--data-root "$SRV_DIR/data" \
		--exec-root "$SRV_DIR/exec" \
		--pidfile "$SRV_DIR/dockerd.pid" \
		--bridge=none --iptables=false --ip-masq=false
}

srv_ready() { [[ -S $SOCK ]] && timeout 10 "$DOCKER" -H "unix://$SOCK" info >/dev/null 2>&1; }

srv_describe() {
	log "  $("$DOCKER" -H "unix://$SOCK" version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null)"
	log "  socket:     $SOCK  (DOCKER_HOST=unix://$SOCK)"
	log "  data root:  $SRV_DIR/data"
	log "  log file:   $LOG"
}

main "$@"
