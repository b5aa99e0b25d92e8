#!/usr/bin/env bash
# Ingest benchmark: the same generated events loaded into ClickHouse twice in
# one run, through cxpulse (Kafka consumer group → validation → native
# columnar batches) and through the baseline
#   kcat -C … | clickhouse-client --query "INSERT … FORMAT JSONEachRow"
# Prints events/s of each, the ratio, and cxpulse's peak RSS.
#
# Needs: bin/cxpulse (make build), a running ClickHouse and Kafka
# (deploy/local/up.sh clickhouse kafka kcat). Knobs: EVENTS (default 2000000),
# KAFKA (127.0.0.1:9092), CH_PORT (9000).
set -euo pipefail
cd "$(dirname "$0")/../.."

EVENTS=${EVENTS:-2000000}
KAFKA=${KAFKA:-127.0.0.1:9092}
CH_PORT=${CH_PORT:-9000}
BIN=bin/cxpulse
DATA_DIR=deploy/bench/.data
DATA=$DATA_DIR/events-$EVENTS.jsonl
RUN_ID=$(date +%s)
TOPIC=bench.events.$RUN_ID
ch() { clickhouse-client --port "$CH_PORT" "$@"; }
now() { date +%s.%N; }
say() { echo "[bench] $*" >&2; }

mkdir -p "$DATA_DIR"
if [[ ! -s $DATA ]]; then
  say "generating about $EVENTS events into $DATA"
  $BIN gen --log-level warn --target-events "$EVENTS" --branches 200 --days 90 \
    --end 2026-11-01T00:00:00Z --seed 7 -o "$DATA"
fi
N=$(wc -l < "$DATA")
say "$N events, $(du -m "$DATA" | cut -f1) MiB of JSON lines"

say "producing them to topic $TOPIC"
$BIN produce --log-level warn --kafka-brokers "$KAFKA" --kafka-topic "$TOPIC" --file "$DATA"

ch -q "DROP DATABASE IF EXISTS bench_cx"
ch -q "DROP DATABASE IF EXISTS bench_base"
$BIN migrate --log-level warn --clickhouse-addr "127.0.0.1:$CH_PORT" --clickhouse-database bench_cx
ch -q "CREATE DATABASE bench_base"
ch -q "CREATE TABLE bench_base.events AS bench_cx.events"

wait_rows() { # table expected pid
  while :; do
    local c; c=$(ch -q "SELECT count() FROM $1" 2>/dev/null || echo 0)
    [[ $c -ge $2 ]] && return 0
    if [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null; then say "cxpulse exited early"; return 1; fi
    sleep 0.2
  done
}

# 1. cxpulse
LOG=$DATA_DIR/cxpulse-$RUN_ID.log
t0=$(now)
$BIN ingest --log-level warn --kafka-brokers "$KAFKA" --kafka-topic "$TOPIC" --group-id "bench-$RUN_ID" \
  --clickhouse-addr "127.0.0.1:$CH_PORT" --clickhouse-database bench_cx --http-addr 127.0.0.1:0 2> "$LOG" &
PID=$!
wait_rows bench_cx.events "$N" "$PID" || { tail -20 "$LOG"; exit 1; }
t1=$(now)
RSS_KB=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
kill -TERM "$PID"; wait "$PID" || true

# 2. baseline
t2=$(now)
kcat -C -b "$KAFKA" -t "$TOPIC" -e -o beginning -q -f '%s\n' \
  | ch --date_time_input_format=best_effort --input_format_skip_unknown_fields=1 \
       --query "INSERT INTO bench_base.events FORMAT JSONEachRow"
t3=$(now)
BASE_ROWS=$(ch -q "SELECT count() FROM bench_base.events")

python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$RSS_KB" "$BASE_ROWS" <<'PY'
import sys
n, t0, t1, t2, t3, rss, base_rows = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6]), int(sys.argv[7])
cx, base = n / (t1 - t0), base_rows / (t3 - t2)
print(f"events                 {n}")
print(f"cxpulse                {t1 - t0:8.2f} s  {cx:12,.0f} events/s  (Kafka → validate → ClickHouse, offsets committed)")
print(f"baseline kcat|client   {t3 - t2:8.2f} s  {base:12,.0f} events/s  ({base_rows} rows)")
print(f"ratio cxpulse/baseline {cx / base:8.2f}x")
print(f"cxpulse peak RSS       {rss / 1024:8.1f} MiB")
PY
echo "machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | xargs), ClickHouse $(ch -q 'SELECT version()')"
ch -q "DROP DATABASE IF EXISTS bench_cx"; ch -q "DROP DATABASE IF EXISTS bench_base"
