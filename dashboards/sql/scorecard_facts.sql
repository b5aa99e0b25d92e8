-- Ticket facts and survey facts in one set of columns, so that one GROUP BY
-- makes a scorecard.
SELECT
    branch,
    team,
    agent,
    toUInt8(1) AS tickets,
    toUInt8(first_reply_ms > 0) AS answered,
    toFloat64(if(first_reply_ms > 0, first_reply_ms - opened_ms, 0)) / 1000 AS frt_s,
    toUInt8(resolved_ms > 0) AS resolved,
    toFloat64(if(resolved_ms > 0, resolved_ms - opened_ms, 0)) / 1000 AS resolution_s,
    toUInt8(resolved_ms > 0 AND NOT reopened AND arrayCount(x -> x < resolved_ms, reply_ms) = 1) AS fcr,
    toUInt8(resolved_ms > 0 AND reopened) AS reopened,
    toUInt8(0) AS csat_responses,
    toUInt8(0) AS csat_satisfied,
    toUInt8(0) AS nps_responses,
    toUInt8(0) AS promoters,
    toUInt8(0) AS detractors,
    toUInt8(0) AS complaints
FROM
(
    {{ticket_facts}}
)
UNION ALL
SELECT
    branch,
    team,
    agent,
    toUInt8(0),
    toUInt8(0),
    toFloat64(0),
    toUInt8(0),
    toFloat64(0),
    toUInt8(0),
    toUInt8(0),
    toUInt8(kind = 'survey.csat'),
    toUInt8(kind = 'survey.csat' AND score >= 4),
    toUInt8(kind = 'survey.nps'),
    toUInt8(kind = 'survey.nps' AND score >= 9),
    toUInt8(kind = 'survey.nps' AND score <= 6),
    toUInt8(kind = 'complaint.filed')
FROM
(
    {{survey_facts}}
)
