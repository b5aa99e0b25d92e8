-- The scheduler generation (issue 12): any number of cxpulse compute/run
-- processes share one database and elect one scheduler through Kafka
-- (metrics/leader); each leadership term has a generation, larger than every
-- earlier one, stored with what it writes. A deposed leader whose run was in
-- flight may still land a snapshot; readers take the newest generation's copy
-- of an as_of (metrics/kpi Snapshots.Read), and the sorting key keeps the
-- copies of two generations apart, so that a merge (which keeps the largest
-- computed_at) cannot replace the newer generation's rows with the late
-- older ones. Rows written before this migration are generation 0.
-- The folds need no column: their versions carry the generation in their
-- high bits (metrics/kpi/fence.go).
-- 18.16 has no ADD COLUMN IF NOT EXISTS: the migration runner takes "column
-- already exists" on an ADD COLUMN as done, so a re-run after a half-applied
-- migration completes it.
ALTER TABLE {{db}}.kpi_snapshots
    ADD COLUMN generation UInt64,
    MODIFY ORDER BY (job, kpi, win, as_of, branch, channel, region, team, agent, priority, policy, target, cohort, k, generation);

ALTER TABLE {{db}}.kpi_snapshot_runs
    ADD COLUMN generation UInt64,
    MODIFY ORDER BY (job, as_of, as_of_ms, generation);
