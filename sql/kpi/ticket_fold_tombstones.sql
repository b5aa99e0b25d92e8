-- After a fold (ticket_fold.sql, version V): a tombstone for every older
-- fold of a refolded ticket that lies in another month's partition than its
-- new fold, because its earliest opening moved (an earlier ticket.opened
-- arrived). ReplacingMergeTree and FINAL replace rows within a partition
-- only, so without it the old row would stay the newest of its month, and
-- a window holding that month only would count the ticket there. A
-- tombstone keeps the old row's ticket_id and opened_ms (same partition),
-- has an empty branch (never a contract branch) and version V - 1: it wins
-- over the old row (folded before V - 1), loses to the new fold where both
-- meet (FINAL on 18.16 merges across partitions, and so may a reader that
-- keeps the newest fold itself), and readers drop it (metrics/kpi:
-- ticketFact.gone).
-- Cost: one pass over folded_ms (PREWHERE) and over the ids of this fold's
-- tickets; nothing is written unless an opening moved to another month.
-- Parameters: V - 1, then V three times.
INSERT INTO {{db}}.ticket_facts (ticket_id, opened_ms, branch, folded_ms)
SELECT ticket_id, old_opened_ms, '', toUInt64(?)
FROM
(
    SELECT ticket_id, opened_ms AS old_opened_ms
    FROM {{db}}.ticket_facts
    PREWHERE ticket_id IN (SELECT ticket_id FROM {{db}}.ticket_facts PREWHERE folded_ms = ?)
    WHERE folded_ms < ? AND branch != ''
) AS old_folds
ANY INNER JOIN
(
    SELECT ticket_id, opened_ms AS new_opened_ms
    FROM {{db}}.ticket_facts
    PREWHERE folded_ms = ?
) AS new_folds USING ticket_id
WHERE toYYYYMM(toDateTime(intDiv(old_opened_ms, 1000))) != toYYYYMM(toDateTime(intDiv(new_opened_ms, 1000)))
