-- Monthly cohorts from the latest snapshot of the retention job: one row per
-- cohort month, the share of it active k = 0…12 months later, summed over the
-- selected branches (Σactive / Σsize). Cohorts are not exported to Prometheus.
SELECT
    cohort AS `Cohort`,
    sumIf(size, k = 0) AS `Customers`,
    sumIf(active, k = 0) / nullIf(sumIf(size, k = 0), 0) AS `M0`,
    sumIf(active, k = 1) / nullIf(sumIf(size, k = 1), 0) AS `M1`,
    sumIf(active, k = 2) / nullIf(sumIf(size, k = 2), 0) AS `M2`,
    sumIf(active, k = 3) / nullIf(sumIf(size, k = 3), 0) AS `M3`,
    sumIf(active, k = 4) / nullIf(sumIf(size, k = 4), 0) AS `M4`,
    sumIf(active, k = 5) / nullIf(sumIf(size, k = 5), 0) AS `M5`,
    sumIf(active, k = 6) / nullIf(sumIf(size, k = 6), 0) AS `M6`,
    sumIf(active, k = 7) / nullIf(sumIf(size, k = 7), 0) AS `M7`,
    sumIf(active, k = 8) / nullIf(sumIf(size, k = 8), 0) AS `M8`,
    sumIf(active, k = 9) / nullIf(sumIf(size, k = 9), 0) AS `M9`,
    sumIf(active, k = 10) / nullIf(sumIf(size, k = 10), 0) AS `M10`,
    sumIf(active, k = 11) / nullIf(sumIf(size, k = 11), 0) AS `M11`,
    sumIf(active, k = 12) / nullIf(sumIf(size, k = 12), 0) AS `M12`
FROM
(
    SELECT
        branch,
        cohort,
        k,
        argMax(field_values[indexOf(field_names, 'size')], computed_at) AS size,
        argMax(field_values[indexOf(field_names, 'active')], computed_at) AS active
    FROM ${database}.kpi_snapshots
    WHERE (job, as_of) IN
        (
            SELECT job, max(as_of) FROM ${database}.kpi_snapshot_runs
            WHERE as_of <= $__toTime
            GROUP BY job
        )
      AND kpi = 'cohort'
      AND win = 'cohort'
      AND branch IN (${branch:singlequote})
    GROUP BY job, as_of, branch, cohort, k
)
GROUP BY cohort
ORDER BY cohort DESC
