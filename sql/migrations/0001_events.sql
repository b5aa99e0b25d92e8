-- Raw contract events, one row per delivered message that passed validation.
--
-- Duplicates: producers deliver at least once and ingest commits offsets only
-- after an insert, so the same event_id can be stored more than once.
-- ReplacingMergeTree collapses rows with an equal sorting key during merges;
-- the key holds event_id together with branch, day and type, which are equal
-- for every copy of the same event, so redeliveries converge to one row.
-- Merges are eventual, so every KPI query also deduplicates on read
-- (one row per event_id: LIMIT 1 BY event_id / uniqExact(event_id)).
--
-- Partitioned by month of occurred_at and ordered by branch, then day, so KPI
-- queries over a window and a set of branches read only the parts they need.
CREATE TABLE IF NOT EXISTS {{db}}.events
(
    event_id        String,
    type            Enum8('ticket.opened' = 1, 'ticket.message' = 2, 'ticket.resolved' = 3, 'ticket.reopened' = 4,
                          'survey.nps' = 5, 'survey.csat' = 6, 'survey.ces' = 7, 'customer.visit' = 8,
                          'appointment.scheduled' = 9, 'appointment.started' = 10, 'callback.promised' = 11,
                          'callback.completed' = 12, 'complaint.filed' = 13),
    occurred_at     DateTime('UTC'),
    occurred_ms     UInt16,
    branch          String,
    channel         Enum8('phone' = 1, 'email' = 2, 'chat' = 3, 'social' = 4, 'web' = 5, 'in_person' = 6,
                          'self_service' = 7, 'other' = 8),
    ticket_id       String,
    ref_id          String,
    customer_id     String,
    agent_id        String,
    team            String,
    priority        Enum8('' = 0, 'low' = 1, 'normal' = 2, 'high' = 3, 'urgent' = 4),
    author          Enum8('' = 0, 'agent' = 1, 'customer' = 2),
    score           Nullable(Int8),
    due_at          Nullable(DateTime('UTC')),
    due_ms          UInt16,
    amount          Nullable(Float64),
    comment         String,
    attr_keys       Array(String),
    attr_values     Array(String),
    ingested_at     DateTime('UTC'),
    kafka_topic     String,
    kafka_partition Int32,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (branch, toDate(occurred_at), type, event_id)
SETTINGS index_granularity = 8192;
