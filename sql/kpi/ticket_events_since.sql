-- Fragment of ticket_groups.sql for a full fold: every ticket event that
-- occurred at or after the covered range's start.
-- Parameters: the start (s).
AND occurred_at >= toDateTime(?)
