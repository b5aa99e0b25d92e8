-- First response and resolution times by priority, from the raw events
-- (priority is not exported to Prometheus), in calendar seconds.
SELECT
    priority AS `Priority`,
    count() AS `Tickets`,
    if(sum(answered) > 0, quantileExactIf(0.5)(frt_s, answered = 1), NULL) AS `FRT p50`,
    if(sum(answered) > 0, quantileExactIf(0.9)(frt_s, answered = 1), NULL) AS `FRT p90`,
    sum(answered) AS `Answered`,
    if(sum(resolved) > 0, quantileExactIf(0.5)(resolution_s, resolved = 1), NULL) AS `Resolution p50`,
    if(sum(resolved) > 0, quantileExactIf(0.9)(resolution_s, resolved = 1), NULL) AS `Resolution p90`,
    sum(resolved) AS `Resolved`
FROM
(
    SELECT
        priority,
        toUInt8(first_reply_ms > 0) AS answered,
        toFloat64(if(first_reply_ms > 0, first_reply_ms - opened_ms, 0)) / 1000 AS frt_s,
        toUInt8(resolved_ms > 0) AS resolved,
        toFloat64(if(resolved_ms > 0, resolved_ms - opened_ms, 0)) / 1000 AS resolution_s
    FROM
    (
        {{ticket_facts}}
    )
)
GROUP BY priority
ORDER BY indexOf(['urgent', 'high', 'normal', 'low'], priority)
