-- Every branch with a customer first seen before the end (the cohorts of
-- branches without a calendar; customer_first_seen_v2 is small).
-- Parameters: end (s).
SELECT branch
FROM {{db}}.customer_first_seen_v2
GROUP BY branch
HAVING minMerge(first) <= toDateTime(?)
