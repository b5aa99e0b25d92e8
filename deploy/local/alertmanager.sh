#!/usr/bin/env bash
# Alertmanager (Debian's prometheus-alertmanager) as a background process of
# this checkout: config, data, log and pid file in deploy/local/.run/alertmanager/.
# Single instance (clustering off). The system service is never used.
#
#   deploy/local/alertmanager.sh start|stop|status|restart|install
#
# Env: ALERTMANAGER_PORT (9093), ALERTMANAGER_WEBHOOK_URL (optional: every
#      alert is also POSTed there), START_TIMEOUT (90), STOP_TIMEOUT (20).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
ALERTMANAGER_WEBHOOK_URL="${ALERTMANAGER_WEBHOOK_URL:-}"
SETTINGS=(ALERTMANAGER_PORT ALERTMANAGER_WEBHOOK_URL)

NAME=alertmanager
SRV_DIR="$RUN_DIR/alertmanager"
CONFIG="$SRV_DIR/alertmanager.yml"
PIDFILE="$SRV_DIR/alertmanager.pid"
STATE_FILE="$SRV_DIR/running.env"
MARKER="$CONFIG"
BIN=/usr/bin/prometheus-alertmanager
PROC_EXE=prometheus-alertmanager
LOG="$SRV_DIR/alertmanager.log"
LOGS=("$LOG")

srv_install() {
	apt_install prometheus-alertmanager
	ensure_curl
	stop_package_daemon "$BIN" prometheus
}

srv_prepare() {
	require_free_port "$ALERTMANAGER_PORT" "Alertmanager, ALERTMANAGER_PORT"
	mkdir -p "$SRV_DIR/data"
	local receiver="    # no notifications: alerts are visible in the UI and the API"
	if [[ -n $ALERTMANAGER_WEBHOOK_URL ]]; then
		receiver="    webhook_configs:
      - url: '$ALERTMANAGER_WEBHOOK_URL'
        send_resolved: true"
	fi
	cat >"$CONFIG" <<EOF
# Written by deploy/local/alertmanager.sh at every start; edits are lost.
route:
  receiver: default
  group_by: ['alertname']
  group_wait: 5s
  group_interval: 10s
  repeat_interval: 1h

receivers:
  - name: default
$receiver
EOF
	if command -v amtool >/dev/null 2>&1 &&
		! amtool check-config "$CONFIG" >"$SRV_DIR/amtool.out" 2>&1; then
		cat "$SRV_DIR/amtool.out" >&2
		die "amtool check-config $CONFIG failed"
	fi
}

srv_launch() {
	start_daemon "$PIDFILE" "$LOG" "$BIN" \
		--config.file="$CONFIG" \
		--storage.path="$SRV_DIR/data" \
		--web.listen-address="$BIND_HOST:$ALERTMANAGER_PORT" \
		--cluster.listen-address=
}

srv_ready() { http_ok "http://$BIND_HOST:$ALERTMANAGER_PORT/-/ready"; }

srv_describe() {
	log "  $("$BIN" --version 2>&1 | head -n1)"
	log "  url:        http://$BIND_HOST:$ALERTMANAGER_PORT${ALERTMANAGER_WEBHOOK_URL:+  (webhook: $ALERTMANAGER_WEBHOOK_URL)}"
	log "  config:     $CONFIG"
	log "  data dir:   $SRV_DIR/data"
	log "  log file:   $LOG"
}

main "$@"
