-- Rolling retention per branch for every window at once: for window w,
-- A = customers active in [starts2[w], starts1[w]), B = active in
-- [starts1[w], end). Activity is any event with a customer_id at the event's
-- own branch; repeated events change nothing, so no deduplication.
--
-- One pass over the events, one group per (branch, customer): each event
-- sets two bits per window in a mask (bit 2(w-1): in A, bit 2w-1: in B),
-- the masks of a customer are OR-ed, and only then repeated per window to
-- count (so at most 32 windows). Customers are grouped by two independent
-- 64-bit hashes of their id (cityHash64, sipHash64), cheaper than the string:
-- two customers merge only if both collide (about 10⁻²⁷ for a million). The lambda is in the SELECT
-- that defines ts_ms: 18.16 loses a captured column of a subquery.
-- Parameters: starts1 (array, ms), starts2 (array, ms), starts1 twice; the
-- earliest start2 (s), end (s), the same in milliseconds.
SELECT
    branch,
    toUInt32(w) AS w,
    countIf(bitAnd(m, bitShiftLeft(toUInt64(1), 2 * (w - 1))) != 0) AS previous,
    countIf(bitAnd(m, bitShiftLeft(toUInt64(1), 2 * w - 1)) != 0) AS current,
    countIf(bitAnd(m, bitShiftLeft(toUInt64(3), 2 * (w - 1))) = bitShiftLeft(toUInt64(3), 2 * (w - 1))) AS retained
FROM
(
    SELECT branch, m, arrayJoin(arrayEnumerate(?)) AS w
    FROM
    (
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
        )
        GROUP BY branch, customer, customer_check
    )
)
GROUP BY branch, w
