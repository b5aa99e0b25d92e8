-- The rows of the latest complete snapshot of every KPI job at or before the
-- end of the range (kpi_snapshot_runs marks complete runs), for the window,
-- branches selected, deduplicated by computed_at (a re-run replaces the
-- earlier rows). snapshot_filter picks team or agent rows, which span every
-- channel (the jobs group them by branch and team or agent only), so the
-- channel variable does not apply.
SELECT
    branch,
    team,
    agent,
    kpi,
    argMax(field_names, computed_at) AS names,
    argMax(field_values, computed_at) AS vals
FROM ${database}.kpi_snapshots
WHERE (job, as_of) IN
    (
        SELECT job, max(as_of) FROM ${database}.kpi_snapshot_runs
        WHERE as_of <= $__toTime
        GROUP BY job
    )
  AND win = ${window:singlequote}
  AND branch IN (${branch:singlequote})
  AND channel = 'all'
  AND region IN ('', 'all')
  AND priority IN ('', 'all')
  AND {{snapshot_filter}}
GROUP BY job, as_of, kpi, win, branch, channel, region, team, agent, priority, policy, target, cohort, k
