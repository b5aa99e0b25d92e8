-- Fragment of ticket_facts_window.sql for breaching-now: only the tickets of
-- which some kept fold still waits for an agent's reply or a resolution as
-- of end. A cheap pass over two arrays without FINAL, then PREWHERE, so that
-- FINAL reads and merges the few folds of those tickets only: as it keeps
-- every fold of a ticket id, FINAL still picks the newest of each, and
-- tickets.sql keeps those that wait by their newest fold.
-- GLOBAL: on a cluster the set is built once over every shard and sent to
-- each (18.16 refuses a plain IN over a Distributed table inside a
-- Distributed query); on one server it is a plain IN.
-- Parameters: window start (ms), end (ms), end (ms) twice.
PREWHERE ticket_id GLOBAL IN
(
    SELECT ticket_id
    FROM {{db}}.ticket_facts
    WHERE opened_ms >= ? AND opened_ms < ?
      AND NOT (arrayExists(t -> t >= opened_ms AND t < ?, agent_ms) AND arrayExists(t -> t >= opened_ms AND t < ?, resolved_all))
)
