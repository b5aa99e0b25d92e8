-- One row per ticket opened in the time range in the selected branches (and
-- channel, unless "all"), as of the end of the range: opening, first agent
-- reply, resolution, reopening, the agent replies before the resolution, and
-- the team and agent of the first reply, else of the opening event ("-" when
-- none). Times are calendar milliseconds: raw events carry no calendar.
-- Duplicated events (same event_id) are read once.
SELECT
    ticket_id,
    any(o_branch) AS branch,
    any(o_channel) AS channel,
    any(o_priority) AS priority,
    any(o_ms) AS opened_ms,
    minIf(ts, (kind = 'ticket.message' AND author = 'agent' AND ts >= o_ms) AS is_reply) AS first_reply_ms,
    minIf(ts, kind = 'ticket.resolved' AND ts >= o_ms) AS resolved_ms,
    countIf(kind = 'ticket.reopened' AND ts >= o_ms) > 0 AS reopened,
    groupArrayIf(ts, is_reply) AS reply_ms,
    if(first_reply_ms > 0, argMinIf(r_team, ts, is_reply), any(o_team)) AS team_raw,
    if(first_reply_ms > 0, argMinIf(r_agent, ts, is_reply), any(o_agent)) AS agent_raw,
    if(team_raw = '', '-', team_raw) AS team,
    if(agent_raw = '', '-', agent_raw) AS agent
FROM
(
    SELECT
        ticket_id,
        argMin(branch, ms) AS o_branch,
        argMin(toString(channel), ms) AS o_channel,
        argMin(toString(priority), ms) AS o_priority,
        argMin(team, ms) AS o_team,
        argMin(agent_id, ms) AS o_agent,
        min(ms) AS o_ms
    FROM
    (
        SELECT ticket_id, branch, channel, priority, team, agent_id, toUInt64(occurred_at) * 1000 + occurred_ms AS ms
        FROM ${database}.events
        WHERE type = 'ticket.opened' AND $__timeFilter(occurred_at) AND branch IN (${branch:singlequote})
          AND (${channel:singlequote} = 'all' OR toString(channel) = ${channel:singlequote})
    )
    GROUP BY ticket_id
)
ALL LEFT JOIN
(
    SELECT
        event_id,
        ticket_id,
        toString(type) AS kind,
        toUInt64(occurred_at) * 1000 + occurred_ms AS ts,
        toString(author) AS author,
        team AS r_team,
        agent_id AS r_agent
    FROM ${database}.events
    WHERE type IN ('ticket.message', 'ticket.resolved', 'ticket.reopened')
      AND $__timeFilter(occurred_at)
      AND ticket_id IN
      (
          SELECT ticket_id FROM ${database}.events
          WHERE type = 'ticket.opened' AND $__timeFilter(occurred_at) AND branch IN (${branch:singlequote})
      )
    LIMIT 1 BY event_id
) USING ticket_id
GROUP BY ticket_id
