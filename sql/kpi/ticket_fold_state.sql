-- The newest state of ticket_facts (migration 0003): until when events were
-- folded and from which opening on the facts are complete.
SELECT folded_ms, from_ms
FROM {{db}}.ticket_fact_folds
ORDER BY written_ms DESC
LIMIT 1
