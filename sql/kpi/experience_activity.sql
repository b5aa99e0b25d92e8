-- Retention by service experience (docs/KPI-ENGINE.md): the rolling-retention
-- activity masks (customer_masks.sql, as retention.sql counts them) of the
-- customers who may have had a bad experience (experience_candidates.sql):
-- every other customer is in the good group, and the good group's counts
-- are retention's less the bad group's.
-- Parameters: those of customer_masks.sql, then the candidates' earliest
-- instant (s) and latest (s).
{{customer_masks}}
