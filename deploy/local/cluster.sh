#!/usr/bin/env bash
# A local ClickHouse cluster for cxpulse's cluster mode (clickhouse.cluster):
# one ZooKeeper (deploy/local/zookeeper.sh) and three ClickHouse 18.16
# servers (deploy/local/clickhouse.sh, each with its own folder
# .run/cluster-cN/) on loopback ports, forming the cluster CLUSTER_NAME of
# two shards: shard 01 = c1 + c2 (two replicas), shard 02 = c3.
#
#   deploy/local/cluster.sh start|stop|status|restart [member...]
#
# Members: zookeeper c1 c2 c3 (default: all; start goes zookeeper first,
# stop zookeeper last). Idempotent: a running member is left alone.
#
# The servers' remote_servers also name CLUSTER_NAME_unreachable, two shards
# on CLUSTER_TCP_BASE+5 and +6 where nothing runs (for the bad-config tests).
#
# Env: CLUSTER_NAME (cxpulse), CLUSTER_TCP_BASE (9121: c1 9121, c2 9122,
#      c3 9123), CLUSTER_HTTP_BASE (8221), CLUSTER_INTERSERVER_BASE (9321),
#      ZK_PORT (21810), START_TIMEOUT, STOP_TIMEOUT.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

CLUSTER_NAME="${CLUSTER_NAME:-cxpulse}"
CLUSTER_TCP_BASE="${CLUSTER_TCP_BASE:-9121}"
CLUSTER_HTTP_BASE="${CLUSTER_HTTP_BASE:-8221}"
CLUSTER_INTERSERVER_BASE="${CLUSTER_INTERSERVER_BASE:-9321}"
export ZK_PORT="${ZK_PORT:-21810}"
MEMBERS=(c1 c2 c3)
declare -A SHARD=([c1]=01 [c2]=01 [c3]=02)
CONF_DIR="$RUN_DIR/cluster"

index() { echo $((${1#c} - 1)); }
tcp_port() { echo $((CLUSTER_TCP_BASE + $(index "$1"))); }

# remote_servers, zookeeper, macros and the interserver port of member $1,
# merged into its config by clickhouse.sh (CH_EXTRA_CONFIG). The file's name
# holds a hash of its text: clickhouse.sh restarts a server whose recorded
# settings differ, so a changed config reaches a running member.
write_member_config() {
	local m=$1 i=$(($(index "$1"))) file sum
	mkdir -p "$CONF_DIR"
	file="$CONF_DIR/$m.xml.new"
	cat >"$file" <<EOF
<?xml version="1.0"?>
<!-- Written by deploy/local/cluster.sh at every start; edits are lost. -->
<yandex>
    <interserver_http_host>$BIND_HOST</interserver_http_host>
    <interserver_http_port>$((CLUSTER_INTERSERVER_BASE + i))</interserver_http_port>
    <remote_servers>
        <$CLUSTER_NAME>
            <shard>
                <internal_replication>true</internal_replication>
                <replica><host>$BIND_HOST</host><port>$(tcp_port c1)</port></replica>
                <replica><host>$BIND_HOST</host><port>$(tcp_port c2)</port></replica>
            </shard>
            <shard>
                <internal_replication>true</internal_replication>
                <replica><host>$BIND_HOST</host><port>$(tcp_port c3)</port></replica>
            </shard>
        </$CLUSTER_NAME>
        <!-- never started: the test of "a cluster whose servers do not answer" -->
        <${CLUSTER_NAME}_unreachable>
            <shard><replica><host>$BIND_HOST</host><port>$((CLUSTER_TCP_BASE + 5))</port></replica></shard>
            <shard><replica><host>$BIND_HOST</host><port>$((CLUSTER_TCP_BASE + 6))</port></replica></shard>
        </${CLUSTER_NAME}_unreachable>
    </remote_servers>
    <zookeeper>
        <node><host>$BIND_HOST</host><port>$ZK_PORT</port></node>
        <session_timeout_ms>10000</session_timeout_ms>
    </zookeeper>
    <macros>
        <shard>${SHARD[$m]}</shard>
        <replica>$m</replica>
        <cluster>$CLUSTER_NAME</cluster>
    </macros>
    <distributed_ddl>
        <path>/clickhouse/task_queue/ddl</path>
    </distributed_ddl>
</yandex>
EOF
	sum=$(sha256sum "$file" | cut -c1-8)
	mv "$file" "$CONF_DIR/$m-$sum.xml"
	echo "$m-$sum" >"$CONF_DIR/$m.current"
	echo "$CONF_DIR/$m-$sum.xml"
}

member() {
	local action=$1 m=$2 i
	if [[ $m == zookeeper ]]; then
		"$LOCAL_DIR/zookeeper.sh" "$action"
		return
	fi
	[[ -n ${SHARD[$m]:-} ]] || die "unknown member '$m' (known: zookeeper ${MEMBERS[*]})"
	i=$(index "$m")
	local extra=""
	if [[ $action == start || $action == restart ]]; then
		extra=$(write_member_config "$m")
	else
		extra="$CONF_DIR/$(cat "$CONF_DIR/$m.current" 2>/dev/null || echo "$m").xml"
	fi
	# in_order: a shard's reads and writes go to its first live replica, so a
	# row written is read back at once (not from a replica still fetching it)
	CH_LOAD_BALANCING=in_order CH_INSTANCE="cluster-$m" CH_TCP_PORT=$((CLUSTER_TCP_BASE + i)) CH_HTTP_PORT=$((CLUSTER_HTTP_BASE + i)) \
		CH_EXTRA_CONFIG="$extra" "$LOCAL_DIR/clickhouse.sh" "$action"
}

action=${1:-}
shift || true
members=("$@")
case "$action" in
start | restart)
	((${#members[@]})) || members=(zookeeper "${MEMBERS[@]}")
	t0=$(now_ms)
	for m in "${members[@]}"; do member "$action" "$m"; done
	log "cluster $CLUSTER_NAME: ${members[*]} up ($(since "$t0")); shard 01 = $BIND_HOST:$(tcp_port c1) + $BIND_HOST:$(tcp_port c2), shard 02 = $BIND_HOST:$(tcp_port c3), zookeeper $BIND_HOST:$ZK_PORT"
	;;
stop)
	((${#members[@]})) || members=("${MEMBERS[@]}" zookeeper)
	for m in "${members[@]}"; do member stop "$m"; done
	;;
status)
	((${#members[@]})) || members=(zookeeper "${MEMBERS[@]}")
	rc=0
	for m in "${members[@]}"; do member status "$m" || rc=1; done
	exit $rc
	;;
*)
	echo "usage: $0 start|stop|status|restart [zookeeper|c1|c2|c3...]" >&2
	exit 2
	;;
esac
