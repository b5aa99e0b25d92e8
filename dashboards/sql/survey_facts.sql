-- One row per NPS or CSAT answer and per complaint in the time range, in the
-- selected branches and channel (their own), with the agent and team they
-- count for: their own, else the first agent who replied on their ticket
-- within the 30 days before the range.
SELECT
    branch,
    kind,
    score,
    if(s_team != '', s_team, if(m_team != '', m_team, '-')) AS team,
    if(s_agent != '', s_agent, if(m_agent != '', m_agent, '-')) AS agent
FROM
(
    SELECT event_id, ticket_id, branch, toString(type) AS kind, ifNull(score, -1) AS score, team AS s_team, agent_id AS s_agent
    FROM ${database}.events
    WHERE type IN ('survey.nps', 'survey.csat', 'complaint.filed')
      AND $__timeFilter(occurred_at)
      AND branch IN (${branch:singlequote})
      AND (${channel:singlequote} = 'all' OR toString(channel) = ${channel:singlequote})
    LIMIT 1 BY event_id
)
ANY LEFT JOIN
(
    SELECT ticket_id, argMin(team, ms) AS m_team, argMin(agent_id, ms) AS m_agent
    FROM
    (
        SELECT ticket_id, team, agent_id, toUInt64(occurred_at) * 1000 + occurred_ms AS ms
        FROM ${database}.events
        WHERE type = 'ticket.message' AND author = 'agent'
          AND occurred_at >= $__fromTime - INTERVAL 30 DAY AND occurred_at <= $__toTime
          AND branch IN (${branch:singlequote})
    )
    GROUP BY ticket_id
) USING ticket_id
