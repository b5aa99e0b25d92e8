-- Customers and agent messages keyed by two independent 64-bit hashes
-- (docs/KPI-ENGINE.md "Id hashes"): customer_first_seen (0004) and customer_months (0005) keep a
-- customer as cityHash64(customer_id) in their sorting key, so two customers
-- whose hashes collide are merged into one by every merge (the earlier first
-- activity of both, the months of both); ticket_facts.agent_h (0003) tells
-- agent messages apart by cityHash64(event_id) only, so two colliding
-- messages of a ticket count as one for first-contact resolution. Like the
-- tickets (metrics/kpi ticketKey), customers are now keyed by (cityHash64,
-- sipHash64) and agent messages by both hashes too: two merge only if both
-- collide, about n²/2¹²⁹.
--
-- The customer tables cannot gain a column of their sorting key with their
-- rows kept (old rows would have no second hash), so the _v2 tables replace
-- them: views first, then the fill from the events (as in 0004 and 0005:
-- rows inserted between the two are counted twice, which min and max
-- states absorb), then the old views and tables go. Every statement can run
-- again after an interrupted run (IF NOT EXISTS, a fill that only adds
-- states with the same minima and maxima, IF EXISTS).
CREATE TABLE IF NOT EXISTS {{db}}.customer_first_seen_v2
(
    branch         String,
    customer       UInt64,
    customer_check UInt64,
    first          AggregateFunction(min, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (branch, customer, customer_check)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.customer_first_seen_v2_mv TO {{db}}.customer_first_seen_v2
AS SELECT branch, cityHash64(customer_id) AS customer, sipHash64(customer_id) AS customer_check,
    minState(occurred_at) AS first
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, customer, customer_check;

INSERT INTO {{db}}.customer_first_seen_v2
SELECT branch, cityHash64(customer_id) AS customer, sipHash64(customer_id) AS customer_check,
    minState(occurred_at) AS first
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, customer, customer_check;

CREATE TABLE IF NOT EXISTS {{db}}.customer_months_v2
(
    branch         String,
    month          Date,
    customer       UInt64,
    customer_check UInt64,
    first          AggregateFunction(min, DateTime('UTC')),
    last           AggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (branch, month, customer, customer_check)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.customer_months_v2_mv TO {{db}}.customer_months_v2
AS SELECT branch, toStartOfMonth(occurred_at) AS month, cityHash64(customer_id) AS customer,
    sipHash64(customer_id) AS customer_check, minState(occurred_at) AS first, maxState(occurred_at) AS last
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, month, customer, customer_check;

INSERT INTO {{db}}.customer_months_v2
SELECT branch, toStartOfMonth(occurred_at) AS month, cityHash64(customer_id) AS customer,
    sipHash64(customer_id) AS customer_check, minState(occurred_at) AS first, maxState(occurred_at) AS last
FROM {{db}}.events
WHERE customer_id != ''
GROUP BY branch, month, customer, customer_check;

DROP TABLE IF EXISTS {{db}}.customer_first_seen_mv;

DROP TABLE IF EXISTS {{db}}.customer_months_mv;

DROP TABLE IF EXISTS {{db}}.customer_first_seen;

DROP TABLE IF EXISTS {{db}}.customer_months;

-- The agent messages' second hash, beside agent_h (one per agent message, in
-- the same order). Rows folded before hold an empty array; readers then take
-- agent_h again (one hash, as before) until the ticket is folded again.
-- 18.16 has no ADD COLUMN IF NOT EXISTS: the runner takes "column already
-- exists" from an ADD COLUMN as done (sql.Migrate).
ALTER TABLE {{db}}.ticket_facts ADD COLUMN agent_h2 Array(UInt64) AFTER agent_h;
