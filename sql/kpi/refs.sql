-- Appointments and callbacks reduced per ref_id: the scheduling event
-- (appointment.scheduled, callback.promised) that occurred last wins (a
-- reschedule) with its branch and due time; the earliest fulfilling event
-- (appointment.started, callback.completed) counts. Those due in [start, end)
-- are returned; callers split them by window. Grouped by ref_id itself: two
-- refs whose 64-bit hashes collide must not pair one's start with the
-- other's schedule (appointments and callbacks are a small share of the
-- events, so the string keys cost little). ref_key (cityHash64(ref_id)) only
-- orders them in Go. The customer (hashed as retention hashes customers;
-- has_customer 0 when the scheduling event names none) is that of the
-- scheduling event that wins: whose promise was broken, whose appointment
-- started late (retention by service experience).
-- Parameters: lookback start (s), end (s), lookback start (ms), end (ms),
-- due-from (ms), end (ms).
SELECT kind, cityHash64(ref_id) AS ref_key, branch, due_ms, fulfilled_ms,
       cityHash64(customer_id) AS customer, sipHash64(customer_id) AS customer_check, toUInt8(customer_id != '') AS has_customer
FROM
(
    SELECT
        kind,
        ref_id,
        argMaxIf(branch, ts_ms, scheduling) AS branch,
        argMaxIf(customer_id, ts_ms, scheduling) AS customer_id,
        argMaxIf(due, ts_ms, scheduling) AS due_ms,
        countIf(scheduling) AS scheduled,
        minIf(ts_ms, NOT scheduling) AS fulfilled_ms
    FROM
    (
        SELECT ref_id, branch, customer_id,
               if(type IN ('appointment.scheduled', 'appointment.started'), 'appointment', 'callback') AS kind,
               type IN ('appointment.scheduled', 'callback.promised') AS scheduling,
               toUInt64(occurred_at) * 1000 + occurred_ms AS ts_ms,
               toUInt64(ifNull(due_at, toDateTime(0))) * 1000 + due_ms AS due
        FROM {{db}}.events
        WHERE type IN ('appointment.scheduled', 'appointment.started', 'callback.promised', 'callback.completed')
          AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
          AND ts_ms >= ? AND ts_ms < ?
    )
    GROUP BY kind, ref_id
)
WHERE scheduled > 0 AND due_ms >= ? AND due_ms < ?
