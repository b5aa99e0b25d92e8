-- First response and resolution times by branch and priority, and for the
-- fleet (branch 'all'), in business seconds, from the scorecards job's
-- snapshot (priority is not exported to Prometheus).
SELECT
    if(branch = 'all', 'all (fleet)', branch) AS `Branch`,
    priority AS `Priority`,
    sumIf(val, kpi = 'volume' AND name = 'opened') AS `Tickets`,
    if(countIf(kpi = 'first_response' AND name = 'p50_seconds') > 0, maxIf(val, kpi = 'first_response' AND name = 'p50_seconds'), NULL) AS `FRT p50`,
    if(countIf(kpi = 'first_response' AND name = 'p90_seconds') > 0, maxIf(val, kpi = 'first_response' AND name = 'p90_seconds'), NULL) AS `FRT p90`,
    sumIf(val, kpi = 'first_response' AND name = 'count') AS `Answered`,
    if(countIf(kpi = 'resolution' AND name = 'p50_seconds') > 0, maxIf(val, kpi = 'resolution' AND name = 'p50_seconds'), NULL) AS `Resolution p50`,
    if(countIf(kpi = 'resolution' AND name = 'p90_seconds') > 0, maxIf(val, kpi = 'resolution' AND name = 'p90_seconds'), NULL) AS `Resolution p90`,
    sumIf(val, kpi = 'resolution' AND name = 'count') AS `Resolved`
FROM
(
    {{snapshot_rows}}
)
ARRAY JOIN names AS name, vals AS val
GROUP BY branch, priority
ORDER BY branch = 'all', branch, indexOf(['urgent', 'high', 'normal', 'low'], priority), priority
