-- Appointments (or callbacks) reduced per ref_id: the scheduling event that
-- occurred last wins (a reschedule) with its branch and due time; the earliest
-- start (completion) counts. Only those due in [start, end) are returned.
-- Parameters: the scheduling type (three times), the fulfilling type, lookback
-- start (s), end (s), lookback start (ms), end (ms), window start (ms), end (ms).
SELECT ref_id, branch, due_ms, fulfilled_ms
FROM
(
    SELECT
        ref_id,
        argMaxIf(branch, ts_ms, type = ?) AS branch,
        argMaxIf(due, ts_ms, type = ?) AS due_ms,
        countIf(type = ?) AS scheduled,
        minIf(ts_ms, type = ?) AS fulfilled_ms
    FROM
    (
        SELECT event_id, ref_id, toString(type) AS type, branch,
               toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms,
               toUInt64(ifNull(due_at, toDateTime(0))) * 1000 + due_ms AS due
        FROM {{db}}.events
        WHERE type IN ('appointment.scheduled', 'appointment.started', 'callback.promised', 'callback.completed')
          AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
          AND ts_ms >= ? AND ts_ms < ?
        LIMIT 1 BY event_id
    )
    GROUP BY ref_id
)
WHERE scheduled > 0 AND due_ms >= ? AND due_ms < ?
