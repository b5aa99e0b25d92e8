-- Every branch with events before the end.
-- Parameters: end (s).
SELECT DISTINCT branch FROM {{db}}.events WHERE occurred_at <= toDateTime(?)
