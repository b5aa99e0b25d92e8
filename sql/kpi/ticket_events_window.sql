-- Fragment of ticket_groups.sql: the events of the tickets opened in a window.
-- A ticket's opening events are looked for from `lookback` before the window
-- (so that a ticket first opened before the window is not taken for one
-- opened in it); its other events cannot precede its opening, so they are
-- read from the window start. {{ticket_filter}} is empty, or for
-- breaching-now tickets_open.sql.
-- Parameters: lookback start (s), window start (s), end (s), lookback start
-- (ms), window start (ms), end (ms), then the filter's.
AND occurred_at >= toDateTime(?)
AND (type = 'ticket.opened' OR occurred_at >= toDateTime(?))
AND occurred_at <= toDateTime(?)
AND ts_ms >= ?
AND (type = 'ticket.opened' OR ts_ms >= ?)
AND ts_ms < ?
{{ticket_filter}}
