-- Per-ticket facts for the tickets opened in [start, end), as of end: the
-- opening event's branch, channel, priority, team and agent; the first agent
-- response, the resolution, a reopen, and the agent and customer message
-- times from the opening on (for next-response runs and first-contact
-- resolution). Business-time arithmetic on these facts happens in Go
-- (metrics/calendar). ticket_key and ticket_check identify the ticket: two
-- independent 64-bit hashes of its id (cityHash64, sipHash64), which the
-- engine keys its maps by together.
-- Few columns, and text rather than arrays: the driver allocates every
-- string it scans and walks arrays element by element through reflection,
-- which for a million tickets cost more than the query. dims is the group
-- of the ticket: branch/channel/priority/<length of agent>/agent then team
-- (branch, channel and priority hold no '/'); message_offsets the agent
-- message instants then, after '|', the customer ones, each in
-- milliseconds after the opening, joined by commas, then after a second and
-- a third '|' the pending and the resumed instants (contract 1.1) the same
-- way (customer messages resume too: Go derives the pauses). folded_ms is the kept
-- facts' version (0 from the events); future is 1 when the facts hold
-- instants at or after end (so that they may change as end moves on).
--
-- {{ticket_source}} gives one row per ticket with every instant, unfiltered:
-- ticket_facts_window.sql reads the facts kept incrementally (the scheduled
-- path), ticket_groups.sql with ticket_events_window.sql groups them from the
-- events (an as_of older than the kept facts cover). Only instants before
-- end count here, so both answer as of end.
-- (18.16 cannot capture a constant column in a lambda, so end is bound into
-- each.) Parameters: end (ms) twelve times, the source's, then open_only (1: only tickets still
-- waiting for a first response or a resolution), window start (ms), end (ms).
SELECT
    cityHash64(ticket_id) AS ticket_key,
    sipHash64(ticket_id) AS ticket_check,
    concat(branch, '/', channel, '/', priority, '/', toString(length(agent)), '/', agent, team) AS dims,
    opened_ms,
    first_response_ms,
    resolved_ms,
    reopened,
    agent_before_resolved,
    concat(arrayStringConcat(arrayMap(t -> toString(t - opened_ms), agent_after_open), ','), '|',
           arrayStringConcat(arrayMap(t -> toString(t - opened_ms), customer_after_open), ','), '|',
           arrayStringConcat(arrayMap(t -> toString(t - opened_ms), pending_after_open), ','), '|',
           arrayStringConcat(arrayMap(t -> toString(t - opened_ms), resumed_after_open), ',')) AS message_offsets,
    folded_ms,
    future
FROM
(
    SELECT
        ticket_id,
        opened_ms,
        branch, channel, priority, open_team, open_agent,
        agent_ms, agent_ids, agent_teams, agent_h, pending_all, resumed_all, folded_ms,
        arraySort(arrayDistinct(arrayFilter(t -> t >= opened_ms AND t < ?, agent_ms))) AS agent_after_open,
        arraySort(arrayDistinct(arrayFilter(t -> t >= opened_ms AND t < ?, customer_ms))) AS customer_after_open,
        arraySort(arrayDistinct(arrayFilter(t -> t >= opened_ms AND t < ?, pending_all))) AS pending_after_open,
        arraySort(arrayDistinct(arrayFilter(t -> t >= opened_ms AND t < ?, resumed_all))) AS resumed_after_open,
        arrayReduce('min', agent_after_open) AS first_response_ms,
        arrayReduce('min', arrayFilter(t -> t >= opened_ms AND t < ?, resolved_all)) AS resolved_ms,
        toUInt64(length(arrayDistinct(arrayFilter((h, t) -> t >= opened_ms AND t < resolved_ms, agent_h, agent_ms)))) AS agent_before_resolved,
        toUInt8(arrayExists(t -> t >= opened_ms AND t < ?, reopened_all)) AS reopened,
        if(first_response_ms > 0, arrayFilter((a, t) -> t = first_response_ms, agent_ids, agent_ms)[1], open_agent) AS agent,
        if(first_response_ms > 0, arrayFilter((m, t) -> t = first_response_ms, agent_teams, agent_ms)[1], open_team) AS team,
        toUInt8(arrayExists(t -> t >= ?, agent_ms) OR arrayExists(t -> t >= ?, customer_ms)
                OR arrayExists(t -> t >= ?, resolved_all) OR arrayExists(t -> t >= ?, reopened_all)
                OR arrayExists(t -> t >= ?, pending_all) OR arrayExists(t -> t >= ?, resumed_all)) AS future
    FROM
    (
        {{ticket_source}}
    )
)
WHERE (? = 0 OR first_response_ms = 0 OR resolved_ms = 0)
  AND opened_ms >= ? AND opened_ms < ?
