-- Traffic for `cxpulse bench kpi` between two measured refreshes: copies of
-- the newest ticket events, ingested now, as redeliveries arrive. They change
-- no KPI (every query counts an event once), but the tickets they touch are
-- folded into ticket_facts again and read again by the next refresh, as the
-- tickets of new events would be.
-- Parameters: the history's end (s) twice, how many events.
INSERT INTO {{db}}.events
SELECT event_id, type, occurred_at, occurred_ms, branch, channel, ticket_id, ref_id, customer_id, agent_id, team,
       priority, author, score, due_at, due_ms, amount, comment, attr_keys, attr_values, now() AS ingested_at,
       'bench-redelivery' AS kafka_topic, kafka_partition, kafka_offset
FROM {{db}}.events
WHERE type IN ('ticket.opened', 'ticket.message', 'ticket.resolved', 'ticket.reopened')
  AND occurred_at >= toDateTime(?) - 86400 AND occurred_at <= toDateTime(?)
ORDER BY occurred_at DESC
LIMIT ?
