-- The months each customer was active in at each branch (issue 3, scale):
-- cohort retention counts a customer in every month of the last thirteen
-- they were active in, which otherwise takes reading thirteen months of
-- events on every run. A materialized view keeps, per branch, UTC month and
-- customer, the first and last instant of activity (min and max states:
-- copies and late events change nothing they should not), about fifteen
-- times fewer rows than the events. A branch's months start at its local
-- midnight, not at UTC's; a UTC month overlaps two local months at most,
-- and the local months its activity touches are exactly those of its first
-- and last instants, so the cohort query needs no more. The INSERT below
-- fills it from the events already stored (run once; running it again only
-- adds states with the same minima and maxima).
CREATE TABLE IF NOT EXISTS {{db}}.customer_months
(
    branch   String,
    month    Date,
    customer UInt64,
    first    AggregateFunction(min, DateTime('UTC')),
    last     AggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (branch, month, customer)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.customer_months_mv TO {{db}}.customer_months
AS SELECT branch, toStartOfMonth(occurred_at) AS month, cityHash64(customer_id) AS customer,
    minState(occurred_at) AS first, maxState(occurred_at) AS last
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, month, customer;

INSERT INTO {{db}}.customer_months
SELECT branch, toStartOfMonth(occurred_at) AS month, cityHash64(customer_id) AS customer,
    minState(occurred_at) AS first, maxState(occurred_at) AS last
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, month, customer;
