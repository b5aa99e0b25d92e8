-- Fragment of retention.sql and experience_activity.sql: one group per
-- (branch, customer) with the OR of its events' masks. Each event with a
-- customer_id sets two bits per window w (bit 2(w-1): in the previous
-- window [starts2[w], starts1[w]), bit 2w-1: in window w [starts1[w], end)).
-- Customers are grouped by two independent 64-bit hashes of their id
-- (cityHash64, sipHash64), cheaper than the string: two customers merge only
-- if both collide (about 10⁻²⁷ for a million). The lambda is in the SELECT
-- that defines ts_ms: 18.16 loses a captured column of a subquery.
-- {{customer_filter}} may narrow the customers read.
-- Parameters: starts2 (array, ms), starts1 (array, ms), starts1; the
-- earliest start2 (s), end (s), the same in milliseconds; then those of
-- the filter.
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
      {{customer_filter}}
)
GROUP BY branch, customer, customer_check
