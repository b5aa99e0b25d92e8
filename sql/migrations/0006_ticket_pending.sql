-- Event contract 1.1 (issue 16): ticket.pending (the ticket waits on the
-- customer; its optional reason is kept in the existing comment column) and
-- ticket.resumed. Adding values to an Enum8 is a change of metadata only,
-- also for a column of the sorting key, and setting the same type again
-- changes nothing, so the statement can run twice.
ALTER TABLE {{db}}.events
    MODIFY COLUMN type Enum8('ticket.opened' = 1, 'ticket.message' = 2, 'ticket.resolved' = 3, 'ticket.reopened' = 4,
                             'survey.nps' = 5, 'survey.csat' = 6, 'survey.ces' = 7, 'customer.visit' = 8,
                             'appointment.scheduled' = 9, 'appointment.started' = 10, 'callback.promised' = 11,
                             'callback.completed' = 12, 'complaint.filed' = 13,
                             'ticket.pending' = 14, 'ticket.resumed' = 15);

-- The kept ticket facts (migration 0003) gain the pending and resumed
-- instants, raw and unfiltered like the others; rows folded before hold
-- empty arrays, which is what they had (no such event could be stored).
-- 18.16 has no ADD COLUMN IF NOT EXISTS: the migration runner takes "column
-- already exists" from an ADD COLUMN as done (sql.Migrate), so an interrupted
-- run completes on the next one.
ALTER TABLE {{db}}.ticket_facts ADD COLUMN pending_all Array(UInt64) AFTER reopened_all;

ALTER TABLE {{db}}.ticket_facts ADD COLUMN resumed_all Array(UInt64) AFTER pending_all;
