-- Fragment: the tickets with an event ingested at or after `since`, among the
-- events from the covered range's start on.
-- Parameters: the start (s), since (s).
SELECT ticket_id
FROM {{db}}.events
WHERE type IN ('ticket.opened', 'ticket.message', 'ticket.resolved', 'ticket.reopened', 'ticket.pending', 'ticket.resumed')
  AND occurred_at >= toDateTime(?)
  AND ingested_at >= toDateTime(?)
