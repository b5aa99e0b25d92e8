-- Fragment of ticket_groups.sql for an incremental fold: only the events of
-- the tickets that received an event ingested at or after `since` (the
-- previous fold's start less an overlap that covers inserts still in flight
-- then). PREWHERE: the ticket ids are read first and the other columns only
-- where they match, so a fold of a few tickets reads little more than the
-- ticket_id column of the covered range.
-- GLOBAL: on a cluster the set is built once over every shard and sent to
-- each (18.16 refuses a plain IN over a Distributed table inside a
-- Distributed query); on one server it is a plain IN.
-- Parameters: those of ticket_touched_ids.sql.
PREWHERE ticket_id GLOBAL IN
(
    {{ticket_touched_ids}}
)
