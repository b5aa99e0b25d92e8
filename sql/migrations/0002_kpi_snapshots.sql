-- KPI snapshots: every result set a KPI job or a backfill computed, as history
-- for dashboards and the source of the Prometheus exposition (a scrape reads
-- the latest snapshot of each job, never the events).
--
-- One row per (job, as_of, kpi, window, group). The values are parallel
-- name/value arrays, because each KPI has its own fields (metrics/kpi.Fields)
-- and 18.16 has no Map. Writing the same job and as_of again (a backfill
-- re-run, a retried tick) replaces the earlier rows on merge; readers use
-- FINAL or argMax(…, computed_at), so a re-run never counts twice.
CREATE TABLE IF NOT EXISTS {{db}}.kpi_snapshots
(
    job          String,
    as_of        DateTime('UTC'),
    as_of_ms     UInt16,
    kpi          String,
    win          String,
    branch       String,
    channel      String,
    region       String,
    team         String,
    agent        String,
    priority     String,
    policy       String,
    target       String,
    cohort       String,
    k            UInt8,
    field_names  Array(String),
    field_values Array(Float64),
    computed_at  DateTime('UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(as_of)
ORDER BY (job, kpi, win, as_of, branch, channel, region, team, agent, priority, policy, target, cohort, k)
SETTINGS index_granularity = 8192;

-- The last completed snapshot of each job: a job writes its rows first and
-- this marker last, so a reader never sees half a result set.
CREATE TABLE IF NOT EXISTS {{db}}.kpi_snapshot_runs
(
    job          String,
    as_of        DateTime('UTC'),
    as_of_ms     UInt16,
    rows         UInt32,
    duration_ms  UInt32,
    computed_at  DateTime('UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (job, as_of, as_of_ms);
