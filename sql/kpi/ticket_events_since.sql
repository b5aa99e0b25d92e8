-- Fragment of ticket_groups.sql for a fold: the ticket events that occurred
-- at or after the covered range's start (all of them for a full fold).
-- Parameters: the start (s).
AND occurred_at >= toDateTime(?)
