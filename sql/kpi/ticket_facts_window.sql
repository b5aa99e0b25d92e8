-- Fragment of tickets.sql: the tickets opened in a window, from the facts kept
-- by ticket_fold.sql, newest fold of each (FINAL).
-- Parameters: window start (ms), end (ms).
SELECT ticket_id, opened_ms, branch, channel, priority, open_team, open_agent, agent_ms, agent_ids, agent_teams,
       agent_h, customer_ms, resolved_all, reopened_all
FROM {{db}}.ticket_facts FINAL
WHERE opened_ms >= ? AND opened_ms < ?
