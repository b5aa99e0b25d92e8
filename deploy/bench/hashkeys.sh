#!/usr/bin/env bash
# Cost of keying customers and event ids by two independent 64-bit hashes
# (cityHash64, sipHash64: migration 0008, docs/KPI-ENGINE.md) against one (the
# baseline: migrations 0004/0005 and the SQL before), in one run on one
# server and one data set: the fill of the customer pre-aggregates (what
# their materialized views do per insert), their size after a full merge,
# the core of the cohort query on each, and the LIMIT 1 BY of the survey
# query. Prints a table of medians over REPEAT runs and the ratios.
#
#   deploy/bench/hashkeys.sh
#
# Needs: bin/cxpulse (make build) and a running ClickHouse (deploy/local).
# Knobs: EVENTS (5000000), CUSTOMERS (1000000), BRANCHES (50), DAYS (400),
# REPEAT (5), CH_PORT (9000). The data are synthetic (numbers()): every
# customer at one branch, a fifth of the events survey answers.
set -euo pipefail
cd "$(dirname "$0")/../.."

EVENTS=${EVENTS:-5000000}
CUSTOMERS=${CUSTOMERS:-1000000}
BRANCHES=${BRANCHES:-50}
DAYS=${DAYS:-400}
REPEAT=${REPEAT:-5}
CH_PORT=${CH_PORT:-9000}
BIN=${BIN:-bin/cxpulse}
DB=bench_keys
ch() { clickhouse-client --port "$CH_PORT" "$@"; }
say() { echo "[bench] $*" >&2; }

# wall time (s) of one run of a statement
once() { { ch --time --format Null -q "$1" >/dev/null; } 2>&1 | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# "median1 median2" of REPEAT runs of statements $1 and $2, taken in turns
# (so that both see the same load of a shared machine); $3 and $4 run
# before each (untimed)
pair() {
	local i a=() b=()
	for ((i = 0; i < REPEAT; i++)); do
		[[ -z ${3:-} ]] || ch -q "$3"
		a+=("$(once "$1")")
		[[ -z ${4:-} ]] || ch -q "$4"
		b+=("$(once "$2")")
	done
	echo "$(median "${a[@]}") $(median "${b[@]}")"
}

ch -q "DROP DATABASE IF EXISTS $DB"
$BIN migrate --log-level warn --clickhouse-addr "127.0.0.1:$CH_PORT" --clickhouse-database "$DB"
# the events load without views; the fills below are what the views do
ch -q "DROP TABLE $DB.customer_first_seen_v2_mv"
ch -q "DROP TABLE $DB.customer_months_v2_mv"
say "loading $EVENTS events of $CUSTOMERS customers over $DAYS days"
ch -q "INSERT INTO $DB.events (event_id, type, occurred_at, branch, channel, customer_id, ingested_at)
	SELECT concat('e-', toString(number)), if(number % 5 = 0, 'survey.nps', 'customer.visit'),
	       toDateTime('2025-10-01 00:00:00', 'UTC') + intDiv(number * $DAYS * 86400, $EVENTS),
	       concat('b', toString(c % $BRANCHES)), 'other', concat('C-', toString(c)), now()
	FROM (SELECT number, intHash64(number) % $CUSTOMERS AS c FROM numbers($EVENTS))"

# the baseline: the single-hash tables of migrations 0004 and 0005
ch -n -q "
CREATE TABLE $DB.first_seen_1 (branch String, customer UInt64, first AggregateFunction(min, DateTime('UTC')))
ENGINE = AggregatingMergeTree ORDER BY (branch, customer);
CREATE TABLE $DB.months_1 (branch String, month Date, customer UInt64,
    first AggregateFunction(min, DateTime('UTC')), last AggregateFunction(max, DateTime('UTC')))
ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(month) ORDER BY (branch, month, customer);"

one="cityHash64(customer_id) AS customer"
two="cityHash64(customer_id) AS customer, sipHash64(customer_id) AS customer_check"
first1="INSERT INTO $DB.first_seen_1 SELECT branch, $one, minState(occurred_at) FROM $DB.events WHERE customer_id != '' GROUP BY branch, customer"
first2="INSERT INTO $DB.customer_first_seen_v2 SELECT branch, $two, minState(occurred_at) FROM $DB.events WHERE customer_id != '' GROUP BY branch, customer, customer_check"
months1="INSERT INTO $DB.months_1 SELECT branch, toStartOfMonth(occurred_at) AS month, $one, minState(occurred_at), maxState(occurred_at) FROM $DB.events WHERE customer_id != '' GROUP BY branch, month, customer"
months2="INSERT INTO $DB.customer_months_v2 SELECT branch, toStartOfMonth(occurred_at) AS month, $two, minState(occurred_at), maxState(occurred_at) FROM $DB.events WHERE customer_id != '' GROUP BY branch, month, customer, customer_check"

say "fills"
read -r f1 f2 < <(pair "$first1" "$first2" "TRUNCATE TABLE $DB.first_seen_1" "TRUNCATE TABLE $DB.customer_first_seen_v2")
read -r m1 m2 < <(pair "$months1" "$months2" "TRUNCATE TABLE $DB.months_1" "TRUNCATE TABLE $DB.customer_months_v2")
for t in first_seen_1 customer_first_seen_v2 months_1 customer_months_v2; do
	ch -q "OPTIMIZE TABLE $DB.$t FINAL"
done
bytes() { ch -q "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = '$DB' AND table = '$1'"; }
rows() { ch -q "SELECT sum(rows) FROM system.parts WHERE active AND database = '$DB' AND table = '$1'"; }

cohort() { # $1: months table, $2: first-seen table, $3: key columns
	echo "SELECT branch, cohort_num, month_num - cohort_num AS k, uniqExact($3) FROM
	(SELECT branch, $3, toYear(instant) * 12 + toMonth(instant) - 1 AS month_num
	 FROM $DB.$1 ARRAY JOIN [finalizeAggregation(first), finalizeAggregation(last)] AS instant
	 WHERE month >= toDate('2026-10-01') - 400)
	ALL INNER JOIN
	(SELECT branch, $3, toYear(first_at) * 12 + toMonth(first_at) - 1 AS cohort_num
	 FROM (SELECT branch, $3, minMerge(first) AS first_at FROM $DB.$2 GROUP BY branch, $3)) USING (branch, $3)
	WHERE month_num - cohort_num <= 12 GROUP BY branch, cohort_num, k"
}
say "cohort queries"
read -r c1 c2 < <(pair "$(cohort months_1 first_seen_1 customer)" "$(cohort customer_months_v2 customer_first_seen_v2 "customer, customer_check")")
say "survey dedupe"
read -r s1 s2 < <(pair "SELECT count() FROM (SELECT cityHash64(event_id) AS h FROM $DB.events WHERE type = 'survey.nps' LIMIT 1 BY h)" \
	"SELECT count() FROM (SELECT cityHash64(event_id) AS h, sipHash64(event_id) AS h2 FROM $DB.events WHERE type = 'survey.nps' LIMIT 1 BY h, h2)")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", b / a }'; }
echo
echo "$EVENTS events, $CUSTOMERS customers, $BRANCHES branches, $DAYS days; medians of $REPEAT runs taken in turns; ClickHouse $(ch -q 'SELECT version()')"
printf '| %-34s | %14s | %14s | %7s |\n' "" "one hash" "two hashes" "ratio"
printf '|%s|%s|%s|%s|\n' "------------------------------------" "----------------" "----------------" "---------"
printf '| %-34s | %12s s | %12s s | %7s |\n' "fill customer_first_seen" "$f1" "$f2" "$(ratio "$f1" "$f2")"
printf '| %-34s | %12s s | %12s s | %7s |\n' "fill customer_months" "$m1" "$m2" "$(ratio "$m1" "$m2")"
printf '| %-34s | %14s | %14s | %7s |\n' "customer_first_seen bytes (rows)" "$(bytes first_seen_1) ($(rows first_seen_1))" "$(bytes customer_first_seen_v2) ($(rows customer_first_seen_v2))" "$(ratio "$(bytes first_seen_1)" "$(bytes customer_first_seen_v2)")"
printf '| %-34s | %14s | %14s | %7s |\n' "customer_months bytes (rows)" "$(bytes months_1) ($(rows months_1))" "$(bytes customer_months_v2) ($(rows customer_months_v2))" "$(ratio "$(bytes months_1)" "$(bytes customer_months_v2)")"
printf '| %-34s | %12s s | %12s s | %7s |\n' "cohort query (core)" "$c1" "$c2" "$(ratio "$c1" "$c2")"
printf '| %-34s | %12s s | %12s s | %7s |\n' "survey LIMIT 1 BY" "$s1" "$s2" "$(ratio "$s1" "$s2")"
ch -q "DROP DATABASE $DB"
