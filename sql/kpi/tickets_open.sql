-- Fragment of tickets.sql: the tickets opened in the window that still wait
-- for an agent's reply or a resolution after their opening, found from
-- numeric minima and maxima alone, grouped by ticket_id: a 64-bit hash of it
-- would be cheaper, but two tickets whose hashes collide would then be one,
-- and a waiting ticket could hide behind an answered one. This form only
-- serves an as_of older than the kept ticket facts cover (reports, backfills).
-- Parameters: lookback start (s), end (s), end (ms), window start (ms), end (ms).
AND ticket_id IN
(
    SELECT k
    FROM
    (
        SELECT
            ticket_id AS k,
            minIf(toUInt64(occurred_at) * 1000 + occurred_ms, type = 'ticket.opened') AS o,
            maxIf(toUInt64(occurred_at) * 1000 + occurred_ms, type = 'ticket.message' AND author = 'agent') AS a,
            maxIf(toUInt64(occurred_at) * 1000 + occurred_ms, type = 'ticket.resolved') AS r
        FROM {{db}}.events
        WHERE type IN ('ticket.opened', 'ticket.message', 'ticket.resolved')
          AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
          AND toUInt64(occurred_at) * 1000 + occurred_ms < ?
        GROUP BY k
    )
    WHERE o >= ? AND o < ? AND (a < o OR r < o)
)
