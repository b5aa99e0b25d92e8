-- Survey answers and complaints in one window, reduced to counts and sums per
-- (branch, channel, team, agent, type): every ratio and mean of NPS, CSAT, CES
-- and the complaint rate adds up from these in any grouping.
-- Parameters: window start and end as epoch seconds (coarse, for partition and
-- primary-key pruning), then the same as epoch milliseconds (exact).
SELECT
    branch,
    channel,
    team,
    agent_id,
    type,
    count() AS responses,
    countIf((type = 'survey.nps' AND score >= 9) OR (type = 'survey.csat' AND score >= 4)) AS high,
    countIf(type = 'survey.nps' AND score <= 6) AS low,
    toFloat64(sum(score)) AS score_sum
FROM
(
    SELECT event_id, branch, toString(channel) AS channel, team, agent_id, toString(type) AS type, toInt16(ifNull(score, 0)) AS score
    FROM {{db}}.events
    WHERE type IN ('survey.nps', 'survey.csat', 'survey.ces', 'complaint.filed')
      AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
      AND toUInt64(occurred_at) * 1000 + occurred_ms >= ?
      AND toUInt64(occurred_at) * 1000 + occurred_ms < ?
    LIMIT 1 BY event_id
)
GROUP BY branch, channel, team, agent_id, type
