-- Fragment of ticket_groups.sql for an incremental fold: only the events of
-- the tickets that received an event ingested at or after `since` (the
-- previous fold's start less an overlap that covers inserts still in flight
-- then). PREWHERE: the ticket ids are read first and the other columns only
-- where they match, so a fold of a few tickets reads little more than the
-- ticket_id column of the covered range.
-- Parameters: those of ticket_touched_ids.sql.
PREWHERE ticket_id IN
(
    {{ticket_touched_ids}}
)
