#!/usr/bin/env bash
# ZooKeeper (Debian's zookeeper 3.8, standalone) as a background process of
# this checkout, for the ClickHouse cluster (deploy/local/cluster.sh): config,
# data, logs and pid file in deploy/local/.run/zookeeper/. Debian's
# zkServer.sh ignores ZOOCFGDIR and binds *:2181, so the server class is run
# directly with our own zoo.cfg on the loopback.
#
#   deploy/local/zookeeper.sh start|stop|status|restart|install
#
# Env: ZK_PORT (client port, 2181), ZK_HEAP_MB (256), START_TIMEOUT (90),
#      STOP_TIMEOUT (20).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

NAME=zookeeper
SRV_DIR="$RUN_DIR/zookeeper"
CONF_DIR="$SRV_DIR/conf"
CONFIG="$CONF_DIR/zoo.cfg"
PIDFILE="$SRV_DIR/zookeeper.pid"
STATE_FILE="$SRV_DIR/running.env"
MARKER="$CONFIG"
PROC_EXE=java
OUT_LOG="$SRV_DIR/log/stdout.log"
LOGS=("$OUT_LOG")

ZK_PORT="${ZK_PORT:-2181}"
ZK_HEAP_MB="${ZK_HEAP_MB:-256}"
SETTINGS=(ZK_PORT)

srv_install() {
	apt_install zookeeper
	# the package's own service (if an init system started it) binds *:2181
	stop_package_daemon /usr/lib/jvm/java-17-openjdk-amd64/bin/java zookeeper
}

srv_prepare() {
	require_free_port "$ZK_PORT" "ZooKeeper client port, ZK_PORT"
	mkdir -p "$CONF_DIR" "$SRV_DIR/data" "$SRV_DIR/log"
	cat >"$CONFIG" <<EOF
# Written by deploy/local/zookeeper.sh at every start; edits are lost.
tickTime=2000
dataDir=$SRV_DIR/data
clientPort=$ZK_PORT
clientPortAddress=$BIND_HOST
maxClientCnxns=0
# no AdminServer: it would bind *:8080
admin.enableServer=false
4lw.commands.whitelist=ruok,stat,mntr
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
EOF
	cat >"$CONF_DIR/log4j.properties" <<EOF
# Written by deploy/local/zookeeper.sh at every start; edits are lost.
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n
EOF
}

srv_launch() {
	start_daemon "$PIDFILE" "$OUT_LOG" java "-Xmx${ZK_HEAP_MB}m" -Dzookeeper.4lw.commands.whitelist='ruok,stat,mntr' \
		-cp "$CONF_DIR:/usr/share/java/zookeeper.jar" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONFIG"
}

# srv_ready: the four-letter word "stat" reports the server's mode. "ruok"
# is not enough: it answers "imok" while the server is still loading its
# database and refuses sessions ("not currently serving requests") for a
# few tenths of a second more, and a ClickHouse 18.16 that starts in that
# window with replicated tables exits while loading them.
srv_ready() {
	local reply
	reply=$(timeout 3 bash -c "exec 3<>/dev/tcp/$BIND_HOST/$ZK_PORT; printf stat >&3; cat <&3" 2>/dev/null) || return 1
	[[ $reply == *$'\nMode: '* ]]
}

srv_describe() {
	log "  zookeeper client port: $BIND_HOST:$ZK_PORT  data: $SRV_DIR/data  log: $OUT_LOG"
}

main "$@"
