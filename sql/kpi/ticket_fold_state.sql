-- The newest state of ticket_facts (migration 0003): until when events were
-- folded and from which opening on the facts are complete. written_ms is a
-- version whose high bits are the scheduler generation (metrics/kpi/fence.go),
-- so a deposed leader's late row never becomes the state.
SELECT folded_ms, from_ms, written_ms
FROM {{db}}.ticket_fact_folds
ORDER BY written_ms DESC
LIMIT 1
