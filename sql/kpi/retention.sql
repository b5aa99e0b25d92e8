-- Rolling retention per branch: A = customers active in [start2, start1),
-- B = active in [start1, end). Activity is any event with a customer_id at the
-- event's own branch; repeated events change nothing, so no deduplication.
-- Parameters: start1 (ms) twice, start2 (s), end (s), start2 (ms), end (ms).
SELECT
    branch,
    countIf(in_a) AS previous,
    countIf(in_b) AS current,
    countIf(in_a AND in_b) AS retained
FROM
(
    SELECT branch, customer_id, max(ts_ms < ?) AS in_a, max(ts_ms >= ?) AS in_b
    FROM
    (
        SELECT branch, customer_id, toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms
        FROM {{db}}.events
        WHERE customer_id != ''
          AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
          AND ts_ms >= ? AND ts_ms < ?
    )
    GROUP BY branch, customer_id
)
GROUP BY branch
