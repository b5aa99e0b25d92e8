-- p90 first response time (business seconds) per branch and team at every
-- complete run of the scorecards job in the time range (a long-format time
-- series: time, series name, value), over the window. A team with no
-- answered ticket in the window has no p90 at that run.
SELECT
    as_of AS time,
    concat(branch, ' · ', team) AS series,
    argMax(field_values[indexOf(field_names, 'p90_seconds')], computed_at) AS frt_p90
FROM ${database}.kpi_snapshots
WHERE (job, as_of) IN
    (
        SELECT job, as_of FROM ${database}.kpi_snapshot_runs
        WHERE job = 'scorecards' AND $__timeFilter(as_of)
    )
  AND job = 'scorecards'
  AND $__timeFilter(as_of)
  AND kpi = 'first_response'
  AND win = ${window:singlequote}
  AND branch IN (${branch:singlequote})
  AND channel = 'all'
  AND region = ''
  AND team NOT IN ('', 'all')
  AND agent = ''
  AND priority = ''
  AND has(field_names, 'p90_seconds')
GROUP BY as_of, branch, team
ORDER BY time, series
