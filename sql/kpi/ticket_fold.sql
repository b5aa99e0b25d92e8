-- Folds tickets into ticket_facts (migration 0003): their facts, grouped from
-- their events by ticket_groups.sql, inserted with the fold's version.
-- {{ticket_prewhere}} is empty (a full fold) or ticket_prewhere_touched.sql
-- (only the tickets with new events).
-- Parameters: the fold's version (ms), then the fragment's.
INSERT INTO {{db}}.ticket_facts (ticket_id, opened_ms, branch, channel, priority, open_team, open_agent, agent_ms,
       agent_ids, agent_teams, agent_h, customer_ms, resolved_all, reopened_all, pending_all, resumed_all, folded_ms)
SELECT ticket_id, opened_ms, branch, channel, priority, open_team, open_agent, agent_ms, agent_ids, agent_teams,
       agent_h, customer_ms, resolved_all, reopened_all, pending_all, resumed_all, toUInt64(?) AS fold_version
FROM
(
    {{ticket_groups}}
)
