#!/usr/bin/env bash
# Ingest benchmark: the same generated events loaded into ClickHouse through
# cxpulse (Kafka consumer group → validation → native columnar batches,
# offsets committed after each insert) and through the baseline
#   kcat -C … | clickhouse-client --query "INSERT … FORMAT JSONEachRow"
# RUNS times each, alternating (cxpulse first in odd rounds, the baseline
# first in even ones, so a drift of the machine's load hits both alike).
# Both sides insert into a fresh database made by `cxpulse migrate`, so both
# pay for the same materialized views. Prints every run, the medians, the
# ratio of the medians and of each round, cxpulse's peak RSS and the CPU
# seconds per million events of cxpulse and of kcat + clickhouse-client
# (their own processes), and of the ClickHouse server during each side's run
# (what the inserts and the materialized views cost it).
#
# Needs: bin/cxpulse (make build), a running ClickHouse and Kafka
# (deploy/local/up.sh clickhouse kafka kcat). Knobs: EVENTS (default 2000000),
# RUNS (3), KAFKA (127.0.0.1:$KAFKA_PORT, default port 9092), CH_PORT
# ($CH_TCP_PORT, default 9000): the same port variables deploy/local reads,
# so a worktree with its own servers benchmarks against them. PROFILE=1
# serves cxpulse's pprof on 127.0.0.1:$PPROF_PORT (default 6061) and saves a
# CPU profile of the run's first 8 s and a heap profile at its end as
# deploy/bench/.data/{cpu,heap}-RUN-ROUND.pprof.
set -euo pipefail
cd "$(dirname "$0")/../.."

EVENTS=${EVENTS:-2000000}
RUNS=${RUNS:-3}
KAFKA=${KAFKA:-127.0.0.1:${KAFKA_PORT:-9092}}
CH_PORT=${CH_PORT:-${CH_TCP_PORT:-9000}}
BIN=${BIN:-bin/cxpulse}
DATA_DIR=deploy/bench/.data
DATA=$DATA_DIR/events-$EVENTS.jsonl
RUN_ID=$(date +%s)
TOPIC=bench.events.$RUN_ID
ch() { clickhouse-client --port "$CH_PORT" "$@"; }
now() { date +%s.%N; }
say() { echo "[bench] $*" >&2; }
TICKS=$(getconf CLK_TCK)
PPROF_PORT=${PPROF_PORT:-6061}
CH_PID=$(cat deploy/local/.run/clickhouse/clickhouse.pid 2>/dev/null || true)
server_cpu() { # CPU seconds of the ClickHouse server so far (0 when its pid is unknown)
  if [[ -n $CH_PID && -r /proc/$CH_PID/stat ]]; then
    sed 's/.*) //' "/proc/$CH_PID/stat" | awk -v t="$TICKS" '{print ($12 + $13) / t}'
  else echo 0; fi
}

mkdir -p "$DATA_DIR"
if [[ ! -s $DATA ]]; then
  say "generating about $EVENTS events into $DATA"
  $BIN gen --log-level warn --target-events "$EVENTS" --branches 200 --days 90 \
    --end 2026-11-01T00:00:00Z --seed 7 -o "$DATA"
fi
N=$(wc -l < "$DATA")
say "$N events, $(du -m "$DATA" | cut -f1) MiB of JSON lines; Kafka $KAFKA, ClickHouse port $CH_PORT"

say "producing them to topic $TOPIC"
$BIN produce --log-level warn --kafka-brokers "$KAFKA" --kafka-topic "$TOPIC" --file "$DATA"

fresh_db() { # database: dropped, then made by cxpulse migrate (tables and materialized views)
  ch -q "DROP DATABASE IF EXISTS $1"
  $BIN migrate --log-level warn --clickhouse-addr "127.0.0.1:$CH_PORT" --clickhouse-database "$1"
}

wait_rows() { # table expected pid
  while :; do
    local c; c=$(ch -q "SELECT count() FROM $1" 2>/dev/null || echo 0)
    [[ $c -ge $2 ]] && return 0
    if ! kill -0 "$3" 2>/dev/null; then say "cxpulse exited early"; return 1; fi
    sleep 0.2
  done
}

RESULTS=$DATA_DIR/results-$RUN_ID.txt
: > "$RESULTS"

run_cxpulse() { # round
  fresh_db bench_cx
  local log=$DATA_DIR/cxpulse-$RUN_ID-$1.log t0 t1 rss cpu s0 s1
  s0=$(server_cpu); t0=$(now)
  $BIN ingest --log-level warn --kafka-brokers "$KAFKA" --kafka-topic "$TOPIC" --group-id "bench-$RUN_ID-$1" \
    --clickhouse-addr "127.0.0.1:$CH_PORT" --clickhouse-database bench_cx --http-addr 127.0.0.1:0 \
    ${PROFILE:+--pprof-addr "127.0.0.1:$PPROF_PORT"} 2> "$log" &
  local pid=$! prof=
  if [[ -n ${PROFILE:-} ]]; then
    (sleep 0.5; curl -sf -o "$DATA_DIR/cpu-$RUN_ID-$1.pprof" "http://127.0.0.1:$PPROF_PORT/debug/pprof/profile?seconds=8") &
    prof=$!
  fi
  wait_rows bench_cx.events "$N" "$pid" || { tail -20 "$log"; exit 1; }
  t1=$(now); s1=$(server_cpu)
  [[ -n $prof ]] && { wait "$prof" || true; curl -sf -o "$DATA_DIR/heap-$RUN_ID-$1.pprof" "http://127.0.0.1:$PPROF_PORT/debug/pprof/heap"; }
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  # utime + stime of the process (fields 14 and 15 of /proc/PID/stat, after the command name).
  cpu=$(sed 's/.*) //' "/proc/$pid/stat" | awk -v t="$TICKS" '{print ($12 + $13) / t}')
  kill -TERM "$pid"; wait "$pid" || true
  local srv; srv=$(echo "$s1 - $s0" | bc)
  echo "cxpulse $1 $(echo "$t1 - $t0" | bc) $N $cpu $rss $srv" >> "$RESULTS"
  say "round $1 cxpulse: $(echo "$t1 - $t0" | bc) s, $cpu s CPU, peak RSS $((rss / 1024)) MiB, server $srv s CPU"
}

run_baseline() { # round
  fresh_db bench_base
  local t0 t1 rows times s0 s1
  s0=$(server_cpu); t0=$(now)
  # The pipeline's own CPU (kcat and clickhouse-client): bash's `times` of this subshell's children.
  times=$(
    kcat -C -b "$KAFKA" -t "$TOPIC" -e -o beginning -q -f '%s\n' \
      | ch --date_time_input_format=best_effort --input_format_skip_unknown_fields=1 \
           --query "INSERT INTO bench_base.events FORMAT JSONEachRow"
    times
  )
  times=$(echo "$times" | tail -1)
  t1=$(now); s1=$(server_cpu)
  rows=$(ch -q "SELECT count() FROM bench_base.events")
  local cpu; cpu=$(echo "$times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] } print s }')
  local srv; srv=$(echo "$s1 - $s0" | bc)
  echo "baseline $1 $(echo "$t1 - $t0" | bc) $rows $cpu 0 $srv" >> "$RESULTS"
  say "round $1 baseline: $(echo "$t1 - $t0" | bc) s, $rows rows, $cpu s CPU, server $srv s CPU"
}

for ((r = 1; r <= RUNS; r++)); do
  if ((r % 2)); then run_cxpulse "$r"; run_baseline "$r"; else run_baseline "$r"; run_cxpulse "$r"; fi
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
runs = {"cxpulse": {}, "baseline": {}}
for line in open(sys.argv[1]):
    side, rnd, secs, rows, cpu, rss, srv = line.split()
    runs[side][int(rnd)] = (float(secs), int(rows), float(cpu), int(rss), float(srv))
cx, base = runs["cxpulse"], runs["baseline"]
n = next(iter(cx.values()))[1]
print(f"events                 {n}")
print(f"{'round':<6} {'cxpulse s':>10} {'baseline s':>11} {'ratio':>7}")
for r in sorted(cx):
    print(f"{r:<6} {cx[r][0]:10.2f} {base[r][0]:11.2f} {base[r][0] / cx[r][0]:6.2f}x")
mcx = statistics.median(v[0] for v in cx.values())
mbase = statistics.median(v[0] for v in base.values())
print(f"cxpulse   median {mcx:8.2f} s  {n / mcx:12,.0f} events/s  (Kafka → validate → ClickHouse, offsets committed)")
print(f"baseline  median {mbase:8.2f} s  {n / mbase:12,.0f} events/s  (kcat | clickhouse-client, same schema, {min(v[1] for v in base.values())} rows)")
print(f"ratio cxpulse/baseline (medians) {mbase / mcx:6.2f}x")
print(f"cxpulse peak RSS       {max(v[3] for v in cx.values()) / 1024:8.1f} MiB (highest of the runs)")
print(f"CPU s per 1M events    cxpulse {statistics.median(v[2] for v in cx.values()) / n * 1e6:6.2f}   "
      f"kcat+clickhouse-client {statistics.median(v[2] for v in base.values()) / n * 1e6:6.2f}  (medians; server not counted)")
print(f"server CPU s per 1M    during cxpulse {statistics.median(v[4] for v in cx.values()) / n * 1e6:6.2f}   "
      f"during baseline {statistics.median(v[4] for v in base.values()) / n * 1e6:6.2f}  (ClickHouse server, medians)")
PY
echo "machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg), ClickHouse $(ch -q 'SELECT version()')"
ch -q "DROP DATABASE IF EXISTS bench_cx"; ch -q "DROP DATABASE IF EXISTS bench_base"
