-- When each customer was first active at each branch (issue 3, scale): the
-- monthly cohorts need a customer's first month there, which otherwise
-- takes a scan of the whole history on every run. A materialized view keeps
-- the minimum per (branch, customer) as events are inserted (a min state:
-- copies and late events change nothing it should not), and the INSERT below
-- fills it from the events already stored (run once; running it again only
-- adds states with the same minima). Customers are a 64-bit hash of
-- customer_id, as the cohort query groups them.
CREATE TABLE IF NOT EXISTS {{db}}.customer_first_seen
(
    branch   String,
    customer UInt64,
    first    AggregateFunction(min, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (branch, customer)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.customer_first_seen_mv TO {{db}}.customer_first_seen
AS SELECT branch, cityHash64(customer_id) AS customer, minState(occurred_at) AS first
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, customer;

INSERT INTO {{db}}.customer_first_seen
SELECT branch, cityHash64(customer_id) AS customer, minState(occurred_at) AS first
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, customer;
