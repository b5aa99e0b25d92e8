-- Team or agent scorecard from the raw events: one row per branch and team, or per
-- agent. The leading columns and the grouping come from scorecardTeam and
-- scorecardAgent in teams.go.
SELECT
    {{scorecard_columns}}
    sum(tickets) AS `Tickets`,
    if(sum(answered) > 0, quantileExactIf(0.5)(frt_s, answered = 1), NULL) AS `FRT p50`,
    if(sum(answered) > 0, quantileExactIf(0.9)(frt_s, answered = 1), NULL) AS `FRT p90`,
    sum(answered) AS `Answered`,
    if(sum(resolved) > 0, quantileExactIf(0.5)(resolution_s, resolved = 1), NULL) AS `Resolution p50`,
    sum(resolved) AS `Resolved`,
    sum(fcr) / nullIf(sum(resolved), 0) AS `FCR`,
    sum(reopened) / nullIf(sum(resolved), 0) AS `Reopened`,
    sum(csat_satisfied) / nullIf(sum(csat_responses), 0) AS `CSAT`,
    sum(csat_responses) AS `CSAT N`,
    100 * (sum(promoters) - sum(detractors)) / nullIf(sum(nps_responses), 0) AS `NPS`,
    sum(nps_responses) AS `NPS N`,
    sum(complaints) AS `Complaints`
FROM
(
    {{scorecard_facts}}
)
GROUP BY {{scorecard_keys}}
ORDER BY {{scorecard_keys}}
