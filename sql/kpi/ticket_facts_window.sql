-- Fragment of tickets.sql: the tickets opened in a window, from the facts kept
-- by ticket_fold.sql. {{ticket_final}} is ticket_final.sql (FINAL: the
-- newest fold of each ticket only), or empty: every fold not yet merged away,
-- for a caller that keeps the newest folded_ms of each ticket itself, which
-- is much cheaper than FINAL on 18.16 for a long window.
-- {{ticket_facts_filter}} is empty or ticket_since.sql.
-- Parameters: window start (ms), end (ms), then the filter's.
SELECT ticket_id, opened_ms, branch, channel, priority, open_team, open_agent, agent_ms, agent_ids, agent_teams,
       agent_h, customer_ms, resolved_all, reopened_all, pending_all, resumed_all, folded_ms
FROM {{db}}.ticket_facts {{ticket_final}}
{{ticket_facts_prewhere}}
WHERE opened_ms >= ? AND opened_ms < ?
{{ticket_facts_filter}}
