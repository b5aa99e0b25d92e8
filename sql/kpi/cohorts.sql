-- Monthly cohorts of the branches that share one time zone: a customer's
-- cohort at a branch is the month (in that zone) of their first activity
-- there; each later month they are active in counts for k = months since.
-- Returns (branch, cohort YYYYMM, k, customers) for cohorts from the first
-- month wanted on and k = 0..12.
-- Parameters: the time zone (twice), the branches (a tuple), end (s), end
-- (ms), the first
-- cohort wanted as a month number (year * 12 + month - 1).
SELECT branch, toUInt32(cohort) AS cohort, toInt64(k) AS k, count() AS customers
FROM
(
    SELECT branch, cohort, month_num - cohort_num AS k
    FROM
    (
        SELECT
            branch,
            cityHash64(customer_id) AS customer,
            groupUniqArray(toYear(toTimeZone(occurred_at, ?)) * 12 + toMonth(toTimeZone(occurred_at, ?)) - 1) AS months,
            arrayReduce('min', months) AS cohort_num,
            intDiv(cohort_num, 12) * 100 + (cohort_num % 12) + 1 AS cohort
        FROM {{db}}.events
        WHERE customer_id != ''
          AND branch IN ?
          AND occurred_at <= toDateTime(?)
          AND toUInt64(occurred_at) * 1000 + occurred_ms < ?
        GROUP BY branch, customer
    )
    ARRAY JOIN months AS month_num
    WHERE cohort_num >= ? AND month_num - cohort_num <= 12
)
GROUP BY branch, cohort, k
