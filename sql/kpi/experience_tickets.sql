-- Retention by service experience: the customers of tickets, to know whose
-- ticket breached its SLA (the breach itself is business-time arithmetic in
-- Go over the ticket facts). A ticket's customers are the customer_ids of its
-- ticket.opened events; for each (ticket, customer) the earliest such opening,
-- so that a computation as of an instant counts only the openings before it.
-- Copies of an event change nothing (a minimum). Keyed by the two hashes the
-- engine keys tickets and customers by.
-- Parameters: from (s), to (s), from (ms), to (ms).
SELECT
    cityHash64(ticket_id) AS ticket_key,
    sipHash64(ticket_id) AS ticket_check,
    cityHash64(customer_id) AS customer,
    sipHash64(customer_id) AS customer_check,
    min(ts_ms) AS opened_ms
FROM
(
    SELECT ticket_id, customer_id, toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms
    FROM {{db}}.events
    WHERE type = 'ticket.opened' AND customer_id != ''
      AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
      AND ts_ms >= ? AND ts_ms < ?
)
GROUP BY ticket_key, ticket_check, customer, customer_check
