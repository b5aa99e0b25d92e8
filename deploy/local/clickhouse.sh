#!/usr/bin/env bash
# ClickHouse (Debian's clickhouse-server 18.16) as a background process of
# this checkout: config, data, logs and pid file in deploy/local/.run/clickhouse/.
# The system service is never used.
#
#   deploy/local/clickhouse.sh start|stop|status|restart|install
#
# Env: CH_TCP_PORT (native, 9000), CH_HTTP_PORT (8123), CH_TIMEZONE (UTC),
#      CH_LOG_LEVEL (information; trace, debug, warning, error),
#      START_TIMEOUT (90), STOP_TIMEOUT (20),
#      CH_INSTANCE (clickhouse: the folder under .run/, so that several
#      servers of one checkout, e.g. the cluster's, keep apart),
#      CH_LOAD_BALANCING (random; the profile's choice among replicas),
#      CH_EXTRA_CONFIG (a file merged into the config as config.d/extra.xml:
#      cluster.sh passes remote_servers, zookeeper, macros through it).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

CH_INSTANCE="${CH_INSTANCE:-clickhouse}"
NAME=$CH_INSTANCE
SRV_DIR="$RUN_DIR/$CH_INSTANCE"
CONFIG="$SRV_DIR/config.xml"
PIDFILE="$SRV_DIR/clickhouse.pid"
STATE_FILE="$SRV_DIR/running.env"
MARKER="$CONFIG"
PROC_EXE=clickhouse-server
OUT_LOG="$SRV_DIR/log/stdout.log"
SERVER_LOG="$SRV_DIR/log/clickhouse-server.log"
ERR_LOG="$SRV_DIR/log/clickhouse-server.err.log"
LOGS=("$OUT_LOG" "$ERR_LOG" "$SERVER_LOG")

CH_TCP_PORT="${CH_TCP_PORT:-9000}"
CH_HTTP_PORT="${CH_HTTP_PORT:-8123}"
CH_TIMEZONE="${CH_TIMEZONE:-UTC}"
CH_LOG_LEVEL="${CH_LOG_LEVEL:-information}"
CH_EXTRA_CONFIG="${CH_EXTRA_CONFIG:-}"
CH_LOAD_BALANCING="${CH_LOAD_BALANCING:-random}"
SETTINGS=(CH_TCP_PORT CH_HTTP_PORT CH_TIMEZONE CH_EXTRA_CONFIG CH_LOAD_BALANCING)

srv_install() {
	# tzdata: the server resolves <timezone> through the system zone files
	apt_install clickhouse-server clickhouse-client tzdata
	stop_package_daemon /usr/sbin/clickhouse-server clickhouse
}

srv_prepare() {
	require_free_port "$CH_TCP_PORT" "ClickHouse native TCP, CH_TCP_PORT"
	require_free_port "$CH_HTTP_PORT" "ClickHouse HTTP, CH_HTTP_PORT"
	mkdir -p "$SRV_DIR"/{data,tmp,user_files,format_schemas,log,config.d}
	rm -f "$SRV_DIR/config.d/extra.xml"
	if [[ -n $CH_EXTRA_CONFIG ]]; then cp "$CH_EXTRA_CONFIG" "$SRV_DIR/config.d/extra.xml"; fi
	cat >"$CONFIG" <<EOF
<?xml version="1.0"?>
<!-- Written by deploy/local/clickhouse.sh at every start; edits are lost. -->
<yandex>
    <logger>
        <level>$CH_LOG_LEVEL</level>
        <log>$SERVER_LOG</log>
        <errorlog>$ERR_LOG</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>

    <listen_host>$BIND_HOST</listen_host>
    <tcp_port>$CH_TCP_PORT</tcp_port>
    <http_port>$CH_HTTP_PORT</http_port>
    <!-- no interserver_http_port: single server, one port less to clash -->

    <path>$SRV_DIR/data/</path>
    <tmp_path>$SRV_DIR/tmp/</tmp_path>
    <user_files_path>$SRV_DIR/user_files/</user_files_path>
    <format_schema_path>$SRV_DIR/format_schemas/</format_schema_path>
    <users_config>$SRV_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>$CH_TIMEZONE</timezone>
    <umask>022</umask>
    <mlock_executable>false</mlock_executable>

    <max_connections>4096</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <mark_cache_size>1073741824</mark_cache_size>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <!-- tests drop databases of any size -->
    <max_table_size_to_drop>0</max_table_size_to_drop>
    <!-- a stop must be quick (tests stop and start the server mid-ingest):
         open client connections get 2 s to finish, then the server exits -->
    <shutdown_wait_unfinished>2</shutdown_wait_unfinished>

    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>7500</flush_interval_milliseconds>
    </query_log>
</yandex>
EOF
	cat >"$SRV_DIR/users.xml" <<EOF
<?xml version="1.0"?>
<!-- Written by deploy/local/clickhouse.sh at every start; edits are lost. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>10000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>$CH_LOAD_BALANCING</load_balancing>
            <!-- connections look at the shutdown flag every poll_interval
                 seconds (default 10): 1 s keeps a stop quick -->
            <poll_interval>1</poll_interval>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>
    <users>
        <!-- user "default", empty password, from the loopback only -->
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

srv_launch() {
	start_daemon "$PIDFILE" "$OUT_LOG" clickhouse-server --config-file="$CONFIG"
}

srv_ready() {
	timeout 5 clickhouse-client --host "$BIND_HOST" --port "$CH_TCP_PORT" -q 'SELECT 1' >/dev/null 2>&1
}

# Queries still running hold a SIGTERM'ed 18.16 server ~12 s (it waits for
# them, then 10 s more): cancel them first, the stop then takes < 1 s.
srv_pre_stop() {
	timeout 5 clickhouse-client --host "$BIND_HOST" --port "$CH_TCP_PORT" \
		-q "KILL QUERY WHERE query NOT LIKE 'KILL QUERY%' SYNC" >/dev/null 2>&1 || true
}

srv_describe() {
	log "  clickhouse $(timeout 5 clickhouse-client --host "$BIND_HOST" --port "$CH_TCP_PORT" -q 'SELECT version()' 2>/dev/null || echo '?')"
	log "  native tcp: $BIND_HOST:$CH_TCP_PORT  http: http://$BIND_HOST:$CH_HTTP_PORT  user: default (no password)"
	log "  data dir:   $SRV_DIR/data"
	log "  log file:   $SERVER_LOG (errors: $ERR_LOG, stdout: $OUT_LOG)"
}

main "$@"
