-- Rolling retention per branch for every window at once: for window w,
-- A = customers active in [starts2[w], starts1[w]), B = active in
-- [starts1[w], end). Activity is any event with a customer_id at the event's
-- own branch; repeated events change nothing, so no deduplication.
--
-- One pass over the events, one group per (branch, customer)
-- (customer_masks.sql): each event sets two bits per window in a mask (bit
-- 2(w-1): in A, bit 2w-1: in B), the masks of a customer are OR-ed, and only
-- then repeated per window to count (so at most 32 windows).
-- Parameters: starts1 (array, ms); then those of customer_masks.sql:
-- starts2, starts1, starts1 (arrays, ms), the earliest start2 (s), end (s),
-- the same in milliseconds.
SELECT
    branch,
    toUInt32(w) AS w,
    countIf(bitAnd(m, bitShiftLeft(toUInt64(1), 2 * (w - 1))) != 0) AS previous,
    countIf(bitAnd(m, bitShiftLeft(toUInt64(1), 2 * w - 1)) != 0) AS current,
    countIf(bitAnd(m, bitShiftLeft(toUInt64(3), 2 * (w - 1))) = bitShiftLeft(toUInt64(3), 2 * (w - 1))) AS retained
FROM
(
    SELECT branch, m, arrayJoin(arrayEnumerate(?)) AS w
    FROM
    (
{{customer_masks}}
    )
)
GROUP BY branch, w
