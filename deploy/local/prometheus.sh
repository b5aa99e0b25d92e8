#!/usr/bin/env bash
# Prometheus (Debian's package, with promtool) as a background process of
# this checkout: config, TSDB, log and pid file in deploy/local/.run/prometheus/.
# The system service is never used (if the package started one, it is stopped).
#
#   deploy/local/prometheus.sh start|stop|status|restart|install
#
# Env: PROM_PORT (9090), PROM_SCRAPE_TARGET (127.0.0.1:9464, the cxpulse
#      metrics endpoint; several: comma-separated), PROM_SCRAPE_INTERVAL (5s),
#      PROM_RULES (alerting/recording rule files, comma-separated; checked
#      with promtool), ALERTMANAGER_PORT (9093, where alerts are sent),
#      START_TIMEOUT (90), STOP_TIMEOUT (20).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

PROM_PORT="${PROM_PORT:-9090}"
PROM_SCRAPE_TARGET="${PROM_SCRAPE_TARGET:-127.0.0.1:9464}"
PROM_SCRAPE_INTERVAL="${PROM_SCRAPE_INTERVAL:-5s}"
PROM_RULES="${PROM_RULES:-}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
SETTINGS=(PROM_PORT PROM_SCRAPE_TARGET PROM_SCRAPE_INTERVAL PROM_RULES ALERTMANAGER_PORT)

NAME=prometheus
SRV_DIR="$RUN_DIR/prometheus"
CONFIG="$SRV_DIR/prometheus.yml"
PIDFILE="$SRV_DIR/prometheus.pid"
STATE_FILE="$SRV_DIR/running.env"
MARKER="$CONFIG"
PROC_EXE=prometheus
LOG="$SRV_DIR/prometheus.log"
LOGS=("$LOG")

srv_install() {
	apt_install prometheus
	ensure_curl
	stop_package_daemon /usr/bin/prometheus prometheus
}

# yaml_list "a,b": "'a', 'b'"
yaml_list() {
	local out="" item
	IFS=',' read -ra items <<<"$1"
	for item in "${items[@]}"; do
		item="${item#"${item%%[![:space:]]*}"}"
		item="${item%"${item##*[![:space:]]}"}"
		[[ -n $item ]] || continue
		out+="${out:+, }'$item'"
	done
	printf '%s' "$out"
}

# write_config FILE: the config for the requested settings, checked by promtool.
write_config() {
	local file=$1 rules="rule_files: []" f files
	if [[ -n $PROM_RULES ]]; then
		rules="rule_files:"
		IFS=',' read -ra files <<<"$PROM_RULES"
		for f in "${files[@]}"; do
			[[ -n $f ]] || continue
			[[ -f $f ]] || die "PROM_RULES: no such file: $f"
			rules+=$'\n'"  - '$(readlink -f "$f")'"
		done
	fi
	mkdir -p "$SRV_DIR"
	cat >"$file" <<EOF
# Written by deploy/local/prometheus.sh at every start; edits are lost.
global:
  scrape_interval: $PROM_SCRAPE_INTERVAL
  evaluation_interval: $PROM_SCRAPE_INTERVAL

alerting:
  alertmanagers:
    - static_configs:
        - targets: ['$BIND_HOST:$ALERTMANAGER_PORT']

$rules

scrape_configs:
  - job_name: cxpulse
    static_configs:
      - targets: [$(yaml_list "$PROM_SCRAPE_TARGET")]
  - job_name: prometheus
    static_configs:
      - targets: ['$BIND_HOST:$PROM_PORT']
EOF
	if ! promtool check config "$file" >"$SRV_DIR/promtool.out" 2>&1; then
		cat "$SRV_DIR/promtool.out" >&2
		[[ $file == "$CONFIG" ]] || rm -f "$file"
		die "promtool check config $file failed"
	fi
}

# a bad PROM_RULES file must not stop the running Prometheus
srv_precheck() {
	write_config "$SRV_DIR/prometheus.yml.check"
	rm -f "$SRV_DIR/prometheus.yml.check"
}

srv_prepare() {
	require_free_port "$PROM_PORT" "Prometheus, PROM_PORT"
	mkdir -p "$SRV_DIR/data"
	write_config "$CONFIG"
}

srv_launch() {
	start_daemon "$PIDFILE" "$LOG" /usr/bin/prometheus \
		--config.file="$CONFIG" \
		--storage.tsdb.path="$SRV_DIR/data" \
		--storage.tsdb.retention.time=7d \
		--web.listen-address="$BIND_HOST:$PROM_PORT" \
		--web.enable-lifecycle
}

srv_ready() { http_ok "http://$BIND_HOST:$PROM_PORT/-/ready"; }

srv_describe() {
	log "  $(/usr/bin/prometheus --version 2>&1 | head -n1)"
	log "  url:        http://$BIND_HOST:$PROM_PORT  (scrapes $PROM_SCRAPE_TARGET every $PROM_SCRAPE_INTERVAL, alerts to $BIND_HOST:$ALERTMANAGER_PORT)"
	log "  config:     $CONFIG"
	log "  data dir:   $SRV_DIR/data"
	log "  log file:   $LOG"
}

main "$@"
