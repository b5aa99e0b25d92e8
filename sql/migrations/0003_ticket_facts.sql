-- Per-ticket facts kept incrementally (issue 3, scale). Grouping every ticket
-- event of the longest window by ticket on each refresh costs as much as the
-- history inside the window; instead the KPI engine folds the tickets that
-- received events since its last fold into this table (sql/kpi/ticket_fold.sql)
-- and its queries read one row per ticket from here.
--
-- A row holds a ticket's facts from all of its events read at fold time: the
-- opening's attributes and every agent, customer, resolution and reopening
-- instant (raw, unfiltered), so that a query as of any instant after the
-- opening filters them itself. Refolding a ticket inserts a new row with a
-- higher folded_ms; ReplacingMergeTree keeps the newest on merge and readers
-- use FINAL. Partitioned by the month of the opening: a window reads only
-- the months it covers, so the read grows with the window, not the history.
CREATE TABLE IF NOT EXISTS {{db}}.ticket_facts
(
    ticket_id    String,
    opened_ms    UInt64,
    branch       String,
    channel      String,
    priority     String,
    open_team    String,
    open_agent   String,
    agent_ms     Array(UInt64),
    agent_ids    Array(String),
    agent_teams  Array(String),
    agent_h      Array(UInt64),
    customer_ms  Array(UInt64),
    resolved_all Array(UInt64),
    reopened_all Array(UInt64),
    folded_ms    UInt64
)
ENGINE = ReplacingMergeTree(folded_ms)
PARTITION BY toYYYYMM(toDateTime(intDiv(opened_ms, 1000)))
ORDER BY ticket_id
SETTINGS index_granularity = 8192;

-- The state of ticket_facts: it holds complete facts for every ticket opened
-- at or after from_ms, from every event ingested before folded_ms. Each fold
-- (and each move of the covered range) writes a row; the newest by
-- written_ms is the state, and merges keep only it (one sorting key for all).
CREATE TABLE IF NOT EXISTS {{db}}.ticket_fact_folds
(
    written_ms UInt64,
    folded_ms  UInt64,
    from_ms    UInt64,
    full       UInt8
)
ENGINE = ReplacingMergeTree(written_ms)
ORDER BY tuple();
