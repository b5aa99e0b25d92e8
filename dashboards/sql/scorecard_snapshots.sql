-- Team or agent scorecard from the scorecards job's snapshot: one row per
-- branch and team, or per branch and agent. The leading columns and the
-- grouping come from scorecardTeam and scorecardAgent in teams.go.
SELECT
    {{scorecard_columns}}
    sumIf(val, kpi = 'volume' AND name = 'opened') AS `Tickets`,
    if(countIf(kpi = 'first_response' AND name = 'p50_seconds') > 0, maxIf(val, kpi = 'first_response' AND name = 'p50_seconds'), NULL) AS `FRT p50`,
    if(countIf(kpi = 'first_response' AND name = 'p90_seconds') > 0, maxIf(val, kpi = 'first_response' AND name = 'p90_seconds'), NULL) AS `FRT p90`,
    sumIf(val, kpi = 'first_response' AND name = 'count') AS `Answered`,
    if(countIf(kpi = 'resolution' AND name = 'p50_seconds') > 0, maxIf(val, kpi = 'resolution' AND name = 'p50_seconds'), NULL) AS `Resolution p50`,
    sumIf(val, kpi = 'resolution' AND name = 'count') AS `Resolved`,
    sumIf(val, kpi = 'sla' AND name = 'met') / nullIf(sumIf(val, kpi = 'sla' AND name IN ('met', 'breached')), 0) AS `SLA attainment`,
    sumIf(val, kpi = 'fcr' AND name = 'fcr') / nullIf(sumIf(val, kpi = 'fcr' AND name = 'resolved'), 0) AS `FCR`,
    sumIf(val, kpi = 'reopen' AND name = 'reopened') / nullIf(sumIf(val, kpi = 'reopen' AND name = 'resolved'), 0) AS `Reopened`,
    sumIf(val, kpi = 'csat' AND name = 'satisfied') / nullIf(sumIf(val, kpi = 'csat' AND name = 'responses'), 0) AS `CSAT`,
    sumIf(val, kpi = 'csat' AND name = 'responses') AS `CSAT N`,
    100 * (sumIf(val, kpi = 'nps' AND name = 'promoters') - sumIf(val, kpi = 'nps' AND name = 'detractors'))
        / nullIf(sumIf(val, kpi = 'nps' AND name = 'responses'), 0) AS `NPS`,
    sumIf(val, kpi = 'nps' AND name = 'responses') AS `NPS N`,
    sumIf(val, kpi = 'complaints' AND name = 'complaints') AS `Complaints`
FROM
(
    {{snapshot_rows}}
)
ARRAY JOIN names AS name, vals AS val
GROUP BY {{scorecard_keys}}
ORDER BY {{scorecard_keys}}
