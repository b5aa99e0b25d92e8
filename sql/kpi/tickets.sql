-- Per-ticket facts for the tickets opened in [start, end): the opening event's
-- branch, channel, priority, team and agent; the first agent response, the
-- resolution, a reopen, and the agent and customer message times from the
-- opening on (for next-response runs and first-contact resolution).
-- Business-time arithmetic on these facts happens in Go (metrics/calendar).
--
-- A ticket's opening events are looked for from `lookback` before the window;
-- its other events cannot precede its opening, so they are read from the window
-- start. Copies of an event change nothing: every fact is a minimum, an
-- existence, a set of distinct instants or a count of distinct event ids
-- (cityHash64), so no LIMIT BY pass over all events is needed.
-- {{ticket_filter}} is empty, or for breaching-now the fragment
-- tickets_open.sql, which keeps only the tickets still waiting for a first
-- response or a resolution (a cheap numeric pass first, so that the costly
-- facts are built for the few open tickets only).
-- Parameters: lookback start (s), window start (s), end (s), lookback start (ms),
-- window start (ms), end (ms), [the fragment's], then open_only (1: only
-- tickets still waiting for a first response or a resolution), then window
-- start (ms) and end (ms) for the final filter.
SELECT
    ticket_id,
    branch,
    channel,
    priority,
    opened_ms,
    first_response_ms,
    resolved_ms,
    reopened,
    if(first_response_ms > 0, arrayFilter((a, t) -> t = first_response_ms, agent_ids, agent_ms)[1], open_agent) AS agent,
    if(first_response_ms > 0, arrayFilter((m, t) -> t = first_response_ms, agent_teams, agent_ms)[1], open_team) AS team,
    agent_before_resolved,
    agent_after_open,
    customer_after_open
FROM
(
    SELECT
        ticket_id,
        opened_ms,
        branch, channel, priority, open_team, open_agent,
        agent_ms, agent_ids, agent_teams, agent_h,
        arraySort(arrayDistinct(arrayFilter(t -> t >= opened_ms, agent_ms))) AS agent_after_open,
        arraySort(arrayDistinct(arrayFilter(t -> t >= opened_ms, customer_ms))) AS customer_after_open,
        arrayReduce('min', agent_after_open) AS first_response_ms,
        arrayReduce('min', arrayFilter(t -> t >= opened_ms, resolved_all)) AS resolved_ms,
        toUInt64(length(arrayDistinct(arrayFilter((h, t) -> t >= opened_ms AND t < resolved_ms, agent_h, agent_ms)))) AS agent_before_resolved,
        toUInt8(arrayExists(t -> t >= opened_ms, reopened_all)) AS reopened
    FROM
    (
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
            groupArrayIf(ts_ms, type = 'ticket.reopened') AS reopened_all
        FROM
        (
            SELECT cityHash64(event_id) AS h, ticket_id, toString(type) AS type, branch, toString(channel) AS channel,
                   if(priority = '', 'normal', toString(priority)) AS priority, team, agent_id, toString(author) AS author,
                   toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms
            FROM {{db}}.events
            WHERE type IN ('ticket.opened', 'ticket.message', 'ticket.resolved', 'ticket.reopened')
              AND occurred_at >= toDateTime(?)
              AND (type = 'ticket.opened' OR occurred_at >= toDateTime(?))
              AND occurred_at <= toDateTime(?)
              AND ts_ms >= ?
              AND (type = 'ticket.opened' OR ts_ms >= ?)
              AND ts_ms < ?
              {{ticket_filter}}
        )
        GROUP BY ticket_id
        HAVING countIf(type = 'ticket.opened') > 0
    )
)
WHERE (? = 0 OR first_response_ms = 0 OR resolved_ms = 0)
  AND opened_ms >= ? AND opened_ms < ?
