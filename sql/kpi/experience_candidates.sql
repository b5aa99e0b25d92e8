-- Fragment of experience_activity.sql (customer_masks.sql's filter): only
-- the customers with an event that can make an experience bad (a ticket
-- opening, an NPS answer, a booked appointment, a promised callback) in
-- [from, to]. GLOBAL IN, so that the set is built once when events is a
-- Distributed table.
-- Parameters: from (s), to (s).
AND (cityHash64(customer_id), sipHash64(customer_id)) GLOBAL IN
(
    SELECT cityHash64(customer_id), sipHash64(customer_id)
    FROM {{db}}.events
    WHERE customer_id != ''
      AND type IN ('ticket.opened', 'survey.nps', 'appointment.scheduled', 'callback.promised')
      AND occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?)
)
