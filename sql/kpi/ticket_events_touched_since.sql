-- Fragment of ticket_groups.sql for an incremental fold: the ticket events
-- from the covered range's start, and not before the earliest instant the
-- touched tickets can need: their earliest kept opening, or their earliest
-- new event (a ticket not kept yet opens at or after it, or has no opening
-- yet). A ticket's events before its opening change none of its facts.
-- Bounded so, a fold of today's tickets reads today's part of the events,
-- not the whole covered range. (No kept ticket: 2100-01-01 stands for none.)
-- Parameters: the start (s), ticket_touched_ids.sql's twice.
AND occurred_at >= greatest(toDateTime(?), least(
    (
        SELECT toDateTime(intDiv(if(count() = 0, toUInt64(4102444800000), min(opened_ms)), 1000))
        FROM {{db}}.ticket_facts
        WHERE ticket_id IN ({{ticket_touched_ids}})
    ),
    (
        SELECT toDateTime(if(count() = 0, toUInt32(4102444800), min(toUInt32(occurred_at))))
        FROM {{db}}.events
        WHERE type IN ('ticket.opened', 'ticket.message', 'ticket.resolved', 'ticket.reopened')
          AND occurred_at >= toDateTime(?)
          AND ingested_at >= toDateTime(?)
    )
))
