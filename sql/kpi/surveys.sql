-- Survey answers and complaints, reduced to counts and sums per (branch,
-- channel, team, agent, type) and window: w is the 1-based index of the
-- window (all end at as_of) whose start is starts[w]. Every ratio and mean of
-- NPS, CSAT, CES and the complaint rate adds up from these in any grouping.
-- One scan of the longest window serves all windows: each event is repeated
-- once per window that holds it (arrayJoin; 18.16 cannot capture columns in
-- lambdas under GROUP BY). Copies of an event count once (LIMIT 1 BY two
-- independent 64-bit hashes of event_id, cityHash64 and sipHash64: cheaper
-- than by the string, and two answers merge only if both collide).
-- promoters, detractors and satisfied are the counts of the fields of those
-- names.
-- Parameters (surveysArgs, metrics/kpi/queryargs.go): the window starts in
-- milliseconds (an array); the types wanted (a tuple); the longest window's
-- start and the end in seconds, then in milliseconds; the starts again.
SELECT
    branch,
    channel,
    team,
    agent_id,
    type,
    toUInt32(w) AS w,
    count() AS responses,
    countIf(is_promoter) AS promoters,
    countIf(is_detractor) AS detractors,
    countIf(is_satisfied) AS satisfied,
    toFloat64(sum(score)) AS score_sum
FROM
(
    SELECT branch, channel, team, agent_id, type, score, is_promoter, is_detractor, is_satisfied, ts_ms, arrayJoin(arrayEnumerate(?)) AS w
    FROM
    (
        SELECT cityHash64(event_id) AS h, sipHash64(event_id) AS h2, branch, toString(channel) AS channel, team, agent_id, toString(type) AS type,
               toInt16(ifNull(score, 0)) AS score,
               toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms,
               type = 'survey.nps' AND score >= 9 AS is_promoter,
               type = 'survey.nps' AND score <= 6 AS is_detractor,
               type = 'survey.csat' AND score >= 4 AS is_satisfied
        FROM {{db}}.events
        WHERE type IN ?
          AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
          AND ts_ms >= ? AND ts_ms < ?
        LIMIT 1 BY h, h2
    )
    WHERE ts_ms >= ?[w]
)
GROUP BY branch, channel, team, agent_id, type, w
