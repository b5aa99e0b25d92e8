-- Rolling retention per branch for every window at once: for window w,
-- A = customers active in [starts2[w], starts1[w]), B = active in
-- [starts1[w], end). Activity is any event with a customer_id at the event's
-- own branch; repeated events change nothing, so no deduplication.
-- Customers are grouped by a 64-bit hash of their id (cheaper than the string). Each
-- event is repeated once per window that can hold it (arrayJoin).
-- Parameters: starts2 (array, ms) twice, starts1 (array, ms); the earliest
-- start2 (s), end (s), the same in milliseconds.
SELECT
    branch,
    toUInt32(w) AS w,
    countIf(in_a) AS previous,
    countIf(in_b) AS current,
    countIf(in_a AND in_b) AS retained
FROM
(
    SELECT branch, customer, w, max(ts_ms < s1) AS in_a, max(ts_ms >= s1) AS in_b
    FROM
    (
        SELECT branch, customer, ts_ms, arrayJoin(arrayEnumerate(?)) AS w, ?[w] AS s2, ?[w] AS s1
        FROM
        (
            SELECT branch, cityHash64(customer_id) AS customer, toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms
            FROM {{db}}.events
            WHERE customer_id != ''
              AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
              AND ts_ms >= ? AND ts_ms < ?
        )
        WHERE ts_ms >= s2
    )
    GROUP BY branch, customer, w
)
GROUP BY branch, w
