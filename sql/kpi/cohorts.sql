-- Monthly cohorts of the branches that share one time zone: a customer's
-- cohort at a branch is the month (in that zone) of their first activity
-- there, from customer_first_seen_v2 (migrations 0004, 0008); each later month
-- they are active in counts for k = months since. The months active come from
-- customer_months_v2 (migrations 0005, 0008) for the UTC months before the one of
-- end, the local months of each such month's first and last activity (a UTC
-- month overlaps two local months at most), and from the events for the
-- month of end, which end cuts. Activity before the first cohort month
-- changes nothing: nobody is active before their cohort. customer_months_v2 is
-- read without merging its states: parts not merged yet hold the minimum
-- and maximum of part of a month's activity each, and the local months of
-- all of them are again exactly the months touched; a month counted twice
-- is counted once by uniqExact. The join is ALL, not ANY: first_seen has one
-- row per customer, and current ClickHouse's ANY INNER JOIN keeps one row
-- per key of the left side too, which would drop months. Returns (branch,
-- cohort YYYYMM, k, active) for cohorts from the first month wanted on
-- and k = 0..12. A customer is two independent 64-bit hashes of the id
-- (customer, customer_check: cityHash64, sipHash64), as the tables key them:
-- two customers merge only if both collide.
-- A customer active before end was first seen before end, so the first-seen
-- minimum over all events is theirs as of end too. Customers first seen
-- before the first cohort month are left out of the join, and so of the
-- counts (the first cohort month's start is local midnight).
-- Parameters: the time zone (twice), the branches (a tuple), the UTC month
-- of the first cohort month's start and the UTC month of end (as
-- 'YYYY-MM-DD'); the time zone (twice), the branches (a tuple), the start of
-- end's UTC month (s), end (s), end (ms); the time zone (twice), the
-- branches (a tuple), the first cohort month's start (s).
SELECT
    branch,
    toUInt32(intDiv(cohort_num, 12) * 100 + (cohort_num % 12) + 1) AS cohort,
    toInt64(month_num - cohort_num) AS k,
    uniqExact(customer, customer_check) AS active
FROM
(
    SELECT branch, customer, customer_check,
        toYear(toTimeZone(instant, ?)) * 12 + toMonth(toTimeZone(instant, ?)) - 1 AS month_num
    FROM {{db}}.customer_months_v2
    ARRAY JOIN [finalizeAggregation(first), finalizeAggregation(last)] AS instant
    WHERE branch IN ?
      AND month >= toDate(?)
      AND month < toDate(?)
    UNION ALL
    SELECT branch, cityHash64(customer_id) AS customer, sipHash64(customer_id) AS customer_check,
        toYear(toTimeZone(occurred_at, ?)) * 12 + toMonth(toTimeZone(occurred_at, ?)) - 1 AS month_num
    FROM {{db}}.events
    WHERE customer_id != ''
      AND branch IN ?
      AND occurred_at >= toDateTime(?)
      AND occurred_at <= toDateTime(?)
      AND toUInt64(occurred_at) * 1000 + occurred_ms < ?
) AS activity
ALL INNER JOIN
(
    SELECT branch, customer, customer_check,
        toYear(toTimeZone(first_at, ?)) * 12 + toMonth(toTimeZone(first_at, ?)) - 1 AS cohort_num
    FROM
    (
        SELECT branch, customer, customer_check, minMerge(first) AS first_at
        FROM {{db}}.customer_first_seen_v2
        WHERE branch IN ?
        GROUP BY branch, customer, customer_check
        HAVING first_at >= toDateTime(?)
    )
) AS first_seen
USING (branch, customer, customer_check)
WHERE month_num - cohort_num <= 12
GROUP BY branch, cohort, k
