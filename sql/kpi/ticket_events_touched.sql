-- Fragment of ticket_groups.sql for an incremental fold: all events, from the
-- covered range's start, of the tickets that received an event ingested at
-- or after `since` (the previous fold's start less an overlap that covers
-- inserts still in flight then). Grows with the window, not the history: the
-- range's start prunes partitions and the primary key.
-- Parameters: the start (s), then ticket_touched_ids.sql's.
AND occurred_at >= toDateTime(?)
AND ticket_id IN
(
    {{ticket_touched_ids}}
)
