-- Retention by service experience: detractor answers (survey.nps scoring
-- 0-6) that name a customer, at the survey's own branch, with their instant.
-- Copies of an answer give the same row (DISTINCT).
-- Parameters: from (s), to (s), from (ms), to (ms).
SELECT DISTINCT
    branch,
    cityHash64(customer_id) AS customer,
    sipHash64(customer_id) AS customer_check,
    ts_ms
FROM
(
    SELECT branch, customer_id, toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms
    FROM {{db}}.events
    WHERE type = 'survey.nps' AND customer_id != '' AND ifNull(score, 10) <= 6
      AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
      AND ts_ms >= ? AND ts_ms < ?
)
