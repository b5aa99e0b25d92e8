-- Fragment: per-ticket facts grouped from the ticket events that
-- {{ticket_prewhere}} (empty, or the tickets to refold) and {{ticket_events}}
-- (a window for tickets.sql, the covered range for ticket_fold.sql) select: the opening event's branch, channel, priority, team
-- and agent, and every agent message (instant, agent, team, event hash),
-- customer message, resolution, reopening, pending and resumed instant,
-- unfiltered.
-- Copies of an event change nothing downstream: every fact used is a
-- minimum, an existence, a set of distinct instants or a count of distinct
-- event hashes, so no LIMIT BY pass over all events is needed.
SELECT
    ticket_id,
    minIf(ts_ms, type = 'ticket.opened') AS opened_ms,
    argMinIf(branch, ts_ms, type = 'ticket.opened') AS branch,
    argMinIf(channel, ts_ms, type = 'ticket.opened') AS channel,
    argMinIf(priority, ts_ms, type = 'ticket.opened') AS priority,
    argMinIf(team, ts_ms, type = 'ticket.opened') AS open_team,
    argMinIf(agent_id, ts_ms, type = 'ticket.opened') AS open_agent,
    groupArrayIf(ts_ms, type = 'ticket.message' AND author = 'agent') AS agent_ms,
    groupArrayIf(agent_id, type = 'ticket.message' AND author = 'agent') AS agent_ids,
    groupArrayIf(team, type = 'ticket.message' AND author = 'agent') AS agent_teams,
    groupArrayIf(h, type = 'ticket.message' AND author = 'agent') AS agent_h,
    groupArrayIf(ts_ms, type = 'ticket.message' AND author = 'customer') AS customer_ms,
    groupArrayIf(ts_ms, type = 'ticket.resolved') AS resolved_all,
    groupArrayIf(ts_ms, type = 'ticket.reopened') AS reopened_all,
    groupArrayIf(ts_ms, type = 'ticket.pending') AS pending_all,
    groupArrayIf(ts_ms, type = 'ticket.resumed') AS resumed_all,
    toUInt64(0) AS folded_ms
FROM
(
    SELECT cityHash64(event_id) AS h, ticket_id, toString(type) AS type, branch, toString(channel) AS channel,
           if(priority = '', 'normal', toString(priority)) AS priority, team, agent_id, toString(author) AS author,
           toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms
    FROM {{db}}.events
    {{ticket_prewhere}}
    WHERE type IN ('ticket.opened', 'ticket.message', 'ticket.resolved', 'ticket.reopened', 'ticket.pending', 'ticket.resumed')
      {{ticket_events}}
)
GROUP BY ticket_id
HAVING countIf(type = 'ticket.opened') > 0
