-- call_records partitioned by month, so exact queries over one month read that month only.
--
-- The partition key must never change for a call: ReplacingMergeTree collapses the versions
-- of a call only within one partition, and enrich re-emits a record when a late event
-- arrives, which may move started_at (a late `offered` event starts the call earlier). The
-- key is therefore first_seen_at: the occurred_at of the first event enrich received for the
-- call, kept in enrich's call state and carried by every version (CallRecord v2). Rows stored
-- before it existed use the started_at of their call's highest version (the same for every
-- version of the call).
--
-- The move, each step idempotent (a half-applied run is run again):
--   1. the unpartitioned table is renamed call_records_unpartitioned (`hotline migrate` skips
--      the rename when it already happened). The sink's inserts fail with "unknown table"
--      until step 2 and are retried, never dead-lettered;
--   2. the partitioned table is created as call_records;
--   3. every row is copied into it (a second copy after a crash only adds duplicates of the
--      same (call_id, version), which FINAL collapses);
--   4. the old table is dropped: a copy of personal data left behind would escape retention
--      and erasure (docs/privacy.md). A run that dies after the drop renames the new table
--      and copies it again at the next run, which converges on the same result.
-- The plain views read call_records by name at query time and so follow the new table.
-- Retention: 731 days from inserted_at, as 0007 set for the old table; `hotline retention
-- apply` sets the configured days.
RENAME TABLE {{ db }}.call_records TO {{ db }}.call_records_unpartitioned;
CREATE TABLE IF NOT EXISTS {{ db }}.call_records
(
    call_id String COMMENT 'The call; the dedup key (sorting key)',
    version UInt32 COMMENT 'Grows with each re-emission; the ReplacingMergeTree version',
    schema_version UInt8 COMMENT 'Contract version (1 or 2)',
    updated_at DateTime('UTC') COMMENT 'When enrich built this version (wall clock)',
    first_seen_at DateTime('UTC') COMMENT 'occurred_at of the first event enrich received for the call; never changes; the partition key (started_at for rows from before it was kept)',
    started_at DateTime('UTC') COMMENT 'offered_at, or the earliest event time without an offered event',
    started_at_ms UInt16 COMMENT 'Milliseconds within started_at',
    offered_at Nullable(DateTime('UTC')) COMMENT 'Earliest offered event, whole seconds',
    queued_at Nullable(DateTime('UTC')) COMMENT 'Earliest queued event: queue entry',
    answered_at Nullable(DateTime('UTC')) COMMENT 'Earliest answered event',
    abandoned_at Nullable(DateTime('UTC')) COMMENT 'Earliest abandoned event',
    ended_at Nullable(DateTime('UTC')) COMMENT 'Earliest ended event',
    wait_seconds Nullable(Float64) COMMENT 'In the queue: queue entry to answered, abandoned or unanswered end; NULL if never queued',
    menu_seconds Nullable(Float64) COMMENT 'In the menu: offered to queue entry, or to the end if never queued',
    talk_seconds Nullable(Float64) COMMENT 'Answered to ended',
    outcome {{ lc("String") }} COMMENT 'answered, closed, no_agent, left_queue, menu_hangup, short_abandon or abandoned',
    end_reason Nullable(String) COMMENT 'Why the unanswered call ended, when the provider says so',
    closed_reason {{ lc("String") }} COMMENT 'ended or timeout',
    closed_by_timeout UInt8 COMMENT '1 if no end event arrived and the call timeout closed it',
    within_hours UInt8 COMMENT '1 if offered within opening hours (Europe/Copenhagen)',
    topic {{ lc("String") }} COMMENT 'Taxonomy topic: the end wrap-up code, else the latest known',
    topic_source {{ lc("String") }} COMMENT 'wrap_up_code, ivr_choice or none',
    in_scope UInt8 COMMENT '1 if the topic is within the hotline\'s scope',
    wrap_up_code Nullable(String) COMMENT 'Code the agent set after the call',
    queue Nullable(String) COMMENT 'Queue',
    agent_id Nullable(String) COMMENT 'Agent who answered',
    line {{ lc("String") }} COMMENT 'Number dialled, E.164',
    municipality_code Nullable(UInt16) COMMENT 'Primary municipality (kommunekode); NULL if unknown',
    municipality_name Nullable(String) COMMENT 'Name of the primary municipality',
    in_catchment UInt8 COMMENT '1 if the primary municipality is one of the seven',
    caller_postcode Nullable(String) COMMENT 'Postcode keyed in the IVR, as given',
    caller_key Nullable(String) COMMENT 'HMAC pseudonym of the caller number; NULL if withheld',
    event_count UInt16 COMMENT 'Distinct events the record is built from',
    origin {{ lc("String") }} DEFAULT 'live' COMMENT 'import if any of the call\'s events was imported, else live',
    source Nullable(String) COMMENT 'The provider format, if known',
    inserted_at DateTime('UTC') DEFAULT now() COMMENT 'When the sink stored the row'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(first_seen_at)
ORDER BY call_id
{{ ttl("inserted_at + INTERVAL 731 DAY") }}
SETTINGS index_granularity = 8192;
INSERT INTO {{ db }}.call_records
(
    call_id, version, schema_version, updated_at, first_seen_at, started_at, started_at_ms,
    offered_at, queued_at, answered_at, abandoned_at, ended_at, wait_seconds, menu_seconds,
    talk_seconds, outcome, end_reason, closed_reason, closed_by_timeout, within_hours, topic,
    topic_source, in_scope, wrap_up_code, queue, agent_id, line, municipality_code,
    municipality_name, in_catchment, caller_postcode, caller_key, event_count, origin, source,
    inserted_at
)
SELECT
    call_id, version, schema_version, updated_at, ifNull(first_seen_at, call_started_at),
    started_at, started_at_ms, offered_at, queued_at, answered_at, abandoned_at, ended_at,
    wait_seconds, menu_seconds, talk_seconds, outcome, end_reason, closed_reason,
    closed_by_timeout, within_hours, topic, topic_source, in_scope, wrap_up_code, queue,
    agent_id, line, municipality_code, municipality_name, in_catchment, caller_postcode,
    caller_key, event_count, origin, source, inserted_at
FROM {{ db }}.call_records_unpartitioned
ANY LEFT JOIN
(
    -- One first_seen_at for every version of a call: the start of its highest version, what
    -- enrich gives a later version of a call whose state has no first_seen_at yet.
    SELECT call_id, argMax(started_at, version) AS call_started_at
    FROM {{ db }}.call_records_unpartitioned
    GROUP BY call_id
) AS calls USING call_id;
DROP TABLE IF EXISTS {{ db }}.call_records_unpartitioned;
