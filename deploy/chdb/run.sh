#!/usr/bin/env bash
# The schema and every KPI query on a current ClickHouse (chDB) give
# the numbers ClickHouse 18.16 gives. Dumps every part of the golden fixture
# (the first, testdata/golden/pending: pausing SLA clocks, and
# testdata/golden/experience: retention by service experience) and one
# generated dataset with what the KPI engine asks 18.16 and what it answers
# (metrics/kpi/kpitest/chdbdump, which lists its datasets), then replays them
# all on chDB (check.sh). Ends with
# `N passed, M failed`; exits non-zero on any difference.
#
#   deploy/chdb/run.sh
#
# Needs the 18.16 server of deploy/local on CXPULSE_TEST_CLICKHOUSE_ADDR
# (default 127.0.0.1:9000) and clickhouse-client; started here when nothing
# answers, never restarted. Env: GO (go), OUT (deploy/chdb/.out: the dumps,
# kept for a look after a failure).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-$HERE/.out}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
ADDR="${CXPULSE_TEST_CLICKHOUSE_ADDR:-127.0.0.1:9000}"

if ! (exec 3<>"/dev/tcp/${ADDR%:*}/${ADDR##*:}") 2>/dev/null; then
	"$ROOT/deploy/local/clickhouse.sh" start
fi
cd "$ROOT"
rm -rf "$OUT"
"$GO" build -o "$OUT/chdbdump" ./metrics/kpi/kpitest/chdbdump/cmd
dirs=()
for ds in $("$OUT/chdbdump" -list); do
	"$OUT/chdbdump" -dataset "$ds" -out "$OUT/$ds"
	dirs+=("$OUT/$ds")
done
exec "$HERE/check.sh" "${dirs[@]}"
