#!/usr/bin/env bash
# Apache Kafka, single node in KRaft mode (broker + controller in one JVM),
# from the official jars on Maven Central, run with the system Java (17).
#
#   deploy/local/kafka.sh start|stop|status|restart|install
#
# Files:  .run/kafka-<version>/libs   jars of that version (resolved once by mvn)
#         .run/kafka-<version>/data   log.dirs of that version (formatted once)
#         .run/kafka/                 server.properties, log config, pid, logs
# Env:    KAFKA_VERSION (4.4.0; "3.9" means 3.9.2, "4" or "4.4" mean 4.4.0),
#         KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (19093), KAFKA_HEAP (512m),
#         START_TIMEOUT (90), STOP_TIMEOUT (20).
# A start with another KAFKA_VERSION (or port) than the running broker's stops
# it and starts the requested one; each version keeps its own data.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

KAFKA_DEFAULT_VERSION=4.4.0
KAFKA_VERSION="${KAFKA_VERSION:-$KAFKA_DEFAULT_VERSION}"
case "$KAFKA_VERSION" in
4 | 4.4) KAFKA_VERSION=4.4.0 ;;
3 | 3.9) KAFKA_VERSION=3.9.2 ;;
esac
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
SETTINGS=(KAFKA_VERSION KAFKA_PORT KAFKA_CONTROLLER_PORT)

NAME=kafka
SRV_DIR="$RUN_DIR/kafka"
CONFIG="$SRV_DIR/server.properties"
PIDFILE="$SRV_DIR/kafka.pid"
STATE_FILE="$SRV_DIR/running.env"
MARKER="$CONFIG"
PROC_EXE=java
OUT_LOG="$SRV_DIR/logs/stdout.log"
SERVER_LOG="$SRV_DIR/logs/server.log"
LOGS=("$OUT_LOG" "$SERVER_LOG")
POM="$LOCAL_DIR/kafka-pom.xml"

# derived from KAFKA_VERSION (again after state_load)
srv_settings_changed() {
	[[ $KAFKA_VERSION =~ ^([0-9]+)\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION must look like 4.4.0 or 3.9.2, not '$KAFKA_VERSION'"
	KAFKA_LINE=${BASH_REMATCH[1]}
	case "$KAFKA_LINE" in
	3 | 4) ;;
	*) die "KAFKA_VERSION $KAFKA_VERSION: only the 3.x (3.3 and newer, KRaft) and 4.x lines are supported" ;;
	esac
	KHOME="$RUN_DIR/kafka-$KAFKA_VERSION"
	LIBS="$KHOME/libs"
	DATA="$KHOME/data"
}
srv_settings_changed

# java_cmd CLASS ARGS...: the JVM command line with our classpath and logging.
java_cmd() {
	local logging
	if [[ $KAFKA_LINE == 4 ]]; then
		# log4j2 must not stop logging before the broker has shut down
		logging=(-Dlog4j2.configurationFile="$SRV_DIR/log4j2.properties" -Dlog4j2.shutdownHookEnabled=false)
	else
		logging=(-Dlog4j.configuration="file:$SRV_DIR/log4j.properties")
	fi
	JAVA_CMD=(java -Xms128m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
		-XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
		-Dkafka.logs.dir="$SRV_DIR/logs" "${logging[@]}"
		-cp "$LIBS/*" "$@")
}

srv_install() {
	command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
	command -v mvn >/dev/null 2>&1 || apt_install maven
	apt_install kcat # the readiness probe
	[[ -f $LIBS/.complete ]] && return 0
	local t0 mvnlog="$KHOME/mvn.log"
	t0=$(now_ms)
	mkdir -p "$KHOME"
	log "resolving the jars of Kafka $KAFKA_VERSION from Maven Central into $LIBS (log: $mvnlog)"
	rm -rf "$LIBS.tmp"
	if ! mvn -B -q -f "$POM" -Dkafka.version="$KAFKA_VERSION" -Dkafka.line="$KAFKA_LINE" \
		dependency:copy-dependencies -DoutputDirectory="$LIBS.tmp" >"$mvnlog" 2>&1; then
		tail_logs "$mvnlog"
		die "could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (does that version exist on Maven Central?)"
	fi
	[[ -f $LIBS.tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || die "mvn did not fetch kafka_2.13-$KAFKA_VERSION.jar (see $mvnlog)"
	rm -rf "$LIBS"
	mv "$LIBS.tmp" "$LIBS"
	touch "$LIBS/.complete"
	log "Kafka $KAFKA_VERSION jars ready ($(find "$LIBS" -name '*.jar' | wc -l) jars, $(since "$t0"))"
}

write_logging_config() {
	cat >"$SRV_DIR/log4j2.properties" <<'EOF'
# Written by deploy/local/kafka.sh (Kafka 4.x, log4j2); edits are lost.
status = warn
name = deploy-local-kafka
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 100MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
	cat >"$SRV_DIR/log4j.properties" <<'EOF'
# Written by deploy/local/kafka.sh (Kafka 3.x, reload4j); edits are lost.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=100MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
EOF
}

srv_prepare() {
	require_free_port "$KAFKA_PORT" "Kafka, KAFKA_PORT"
	require_free_port "$KAFKA_CONTROLLER_PORT" "Kafka controller, KAFKA_CONTROLLER_PORT"
	mkdir -p "$SRV_DIR/logs" "$DATA"
	write_logging_config
	cat >"$CONFIG" <<EOF
# Written by deploy/local/kafka.sh for Kafka $KAFKA_VERSION at every start; edits are lost.
process.roles=broker,controller
node.id=1
# static quorum of one voter: works the same in 3.9 and 4.x, and the storage
# is formatted without --standalone / --initial-controllers
controller.quorum.voters=1@$BIND_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$BIND_HOST:$KAFKA_PORT,CONTROLLER://$BIND_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$BIND_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
	if [[ ! -f $DATA/meta.properties ]]; then
		if [[ ! -s $KHOME/cluster.id ]]; then
			java_cmd kafka.tools.StorageTool random-uuid
			"${JAVA_CMD[@]}" 2>>"$OUT_LOG" | tail -n1 >"$KHOME/cluster.id.tmp"
			[[ -s $KHOME/cluster.id.tmp ]] || die "kafka.tools.StorageTool random-uuid failed (see $OUT_LOG)"
			mv "$KHOME/cluster.id.tmp" "$KHOME/cluster.id"
		fi
		log "formatting the storage of Kafka $KAFKA_VERSION in $DATA (cluster id $(<"$KHOME/cluster.id"))"
		java_cmd kafka.tools.StorageTool format --ignore-formatted \
			--cluster-id="$(<"$KHOME/cluster.id")" --config="$CONFIG"
		if ! "${JAVA_CMD[@]}" >>"$OUT_LOG" 2>&1; then
			tail_logs "$OUT_LOG" "$SERVER_LOG"
			die "kafka.tools.StorageTool format failed"
		fi
	fi
}

srv_launch() {
	java_cmd kafka.Kafka "$CONFIG"
	start_daemon "$PIDFILE" "$OUT_LOG" "${JAVA_CMD[@]}"
}

# Ready: the listener answers and a metadata request lists our broker.
srv_ready() {
	port_open "$KAFKA_PORT" || return 1
	local md # captured, not piped into grep -q: with many topics kcat would die of SIGPIPE
	md=$(timeout 10 kcat -b "$BIND_HOST:$KAFKA_PORT" -L -m 5 2>/dev/null) || return 1
	[[ $md == *"broker 1 at $BIND_HOST:$KAFKA_PORT"* ]]
}

srv_describe() {
	log "  kafka $KAFKA_VERSION (KRaft, broker+controller, node 1)"
	log "  bootstrap:  $BIND_HOST:$KAFKA_PORT  controller: $BIND_HOST:$KAFKA_CONTROLLER_PORT"
	log "  data dir:   $DATA"
	log "  log file:   $SERVER_LOG (stdout: $OUT_LOG)"
}

main "$@"
