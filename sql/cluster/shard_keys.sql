-- The sharding key of each table in cluster mode (clickhouse.cluster): the
-- Distributed table <name> sends each inserted row to the shard this
-- expression picks, and the rows live in <name>_local, replicated within the
-- shard. One line per table: `name = expression` (sql/cluster.go reads this
-- file; a migration that creates a table missing here fails its test).
--
-- Two rules decide the keys. Correctness: a ReplacingMergeTree collapses, and
-- FINAL reads, only within a shard, so every row sharing a sorting key must
-- go to one shard: the key is made of sorting-key columns (or of columns that
-- are equal wherever those are). Locality: each KPI query groups tickets by
-- ticket_id, appointments and callbacks by ref_id, retention and cohorts by
-- customer; a Distributed GROUP BY merges the shards' partial groups on the
-- server that was asked, so every KPI is correct under any key, and a group
-- kept on one shard only costs one partial row instead of several. Events of
-- one ticket do not all carry the customer (messages have none) and one
-- customer's events span many tickets and refs, so no single column serves
-- all: an event goes by its ticket, else its ref, else its customer, else its
-- own id. All events of a ticket meet on one shard (the ticket queries and
-- the per-ticket folds stay shard-local), so do those of a ref; a customer's
-- visits meet, but their ticket events are spread over the tickets' shards,
-- so retention and cohorts merge partial customer groups across shards.
-- Copies of one event have equal columns, hence one shard: their
-- ReplacingMergeTree collapse and the LIMIT 1 BY event reads still hold.
events = cityHash64(multiIf(ticket_id != '', ticket_id, ref_id != '', ref_id, customer_id != '', customer_id, event_id))
-- A KPI job's snapshots and run markers together (readers take the newest by job).
kpi_snapshots = cityHash64(job)
kpi_snapshot_runs = cityHash64(job)
-- Every fold of a ticket on one shard: FINAL keeps the newest.
ticket_facts = cityHash64(ticket_id)
-- One small state table: all of it on the first shard, so merges keep only the newest.
ticket_fact_folds = 0
-- Filled per shard by the materialized views from that shard's events; the
-- key only places the rows of the backfill INSERT … SELECT of the migration
-- (readers merge the min/max states across shards).
customer_first_seen = customer
customer_months = customer
customer_first_seen_v2 = customer
customer_months_v2 = customer
