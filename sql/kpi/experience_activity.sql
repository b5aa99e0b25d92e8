-- Retention by service experience (docs/KPI-ENGINE.md): the rolling-retention
-- activity of the customers who may have had a bad experience, per (branch,
-- customer), as the mask of retention.sql (bit 2(w-1): active in window w's
-- previous window, bit 2w-1: active in window w). Only customers with an
-- event that can make an experience bad (a ticket opening, an NPS answer, a
-- booked appointment, a promised callback) in the lookback are read: every
-- other customer is in the good group, and the good group's counts are
-- retention's less the bad group's. The same two hashes as retention.sql
-- group customers. The lambda sits in the SELECT that defines ts_ms (18.16
-- loses a captured column of a subquery); GLOBAL IN, so that the candidate
-- set is built once when events is a Distributed table.
-- Parameters: starts2 (array, ms), starts1 (array, ms), starts1; the
-- earliest start2 (s), end (s), the same in milliseconds; the candidates'
-- earliest instant (s) and latest (s).
SELECT branch, customer, customer_check, groupBitOr(mask) AS m
FROM
(
    SELECT
        branch,
        cityHash64(customer_id) AS customer,
        sipHash64(customer_id) AS customer_check,
        toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms,
        toUInt64(arraySum(arrayMap((a, b, i) -> bitShiftLeft(toUInt64(ts_ms >= a AND ts_ms < b), 2 * (i - 1))
                                               + bitShiftLeft(toUInt64(ts_ms >= b), 2 * i - 1),
                                   ?, ?, arrayEnumerate(?)))) AS mask
    FROM {{db}}.events
    WHERE customer_id != ''
      AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
      AND ts_ms >= ? AND ts_ms < ?
      AND (cityHash64(customer_id), sipHash64(customer_id)) GLOBAL IN
      (
          SELECT cityHash64(customer_id), sipHash64(customer_id)
          FROM {{db}}.events
          WHERE customer_id != ''
            AND type IN ('ticket.opened', 'survey.nps', 'appointment.scheduled', 'callback.promised')
            AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
      )
)
GROUP BY branch, customer, customer_check
