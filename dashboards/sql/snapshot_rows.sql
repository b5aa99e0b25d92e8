-- The rows of the latest complete run of the scorecards job at or before
-- the end of the range (kpi_snapshot_runs marks complete runs), for the
-- window, deduplicated by computed_at (a re-run replaces the earlier rows).
-- Only the scorecards job: the tickets and satisfaction jobs also write team
-- and agent rows when metrics.team_series or agent_series is on, which
-- would count twice. snapshot_filter picks the branches and the team, agent
-- or priority rows, which span every channel (the job groups them by branch
-- and team, agent or priority only), so the channel variable does not apply.
SELECT
    branch,
    team,
    agent,
    priority,
    kpi,
    argMax(field_names, computed_at) AS names,
    argMax(field_values, computed_at) AS vals
FROM ${database}.kpi_snapshots
WHERE (job, as_of) IN
    (
        SELECT job, max(as_of) FROM ${database}.kpi_snapshot_runs
        WHERE job = 'scorecards' AND as_of <= $__toTime
        GROUP BY job
    )
  AND job = 'scorecards'
  AND win = ${window:singlequote}
  AND channel = 'all'
  AND region = ''
  AND {{snapshot_filter}}
GROUP BY job, as_of, kpi, win, branch, channel, region, team, agent, priority, policy, target, cohort, k
