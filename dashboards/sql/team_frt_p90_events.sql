-- p90 first response time per branch and team, per time step, of the tickets
-- opened in each step (a long-format time series: time, series name, value).
SELECT
    toDateTime(intDiv(toUInt32(toDateTime(intDiv(opened_ms, 1000))), $__interval_s) * $__interval_s) AS time,
    concat(branch, ' · ', team) AS team,
    quantileExact(0.9)(toFloat64(first_reply_ms - opened_ms) / 1000) AS frt_p90
FROM
(
    {{ticket_facts}}
)
WHERE first_reply_ms > 0
GROUP BY time, team
ORDER BY time, team
