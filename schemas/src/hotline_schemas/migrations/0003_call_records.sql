-- One row per finished call (CallRecord v1), written by the sink from hotline.call-records.
-- Enrich re-emits a record with a higher version when a late event changes it, and delivery is
-- at-least-once: ReplacingMergeTree(version) keeps the highest version per call_id when parts
-- merge; exact queries use FINAL or argMax(..., version). No partition key: a re-emitted
-- version may move started_at, and rows only collapse within one partition.
-- Columns are also documented in docs/clickhouse.md.
CREATE TABLE IF NOT EXISTS {{ db }}.call_records
(
    call_id String COMMENT 'The call; the dedup key (sorting key)',
    version UInt32 COMMENT 'Grows with each re-emission; the ReplacingMergeTree version',
    schema_version UInt8 COMMENT 'Contract version',
    updated_at DateTime('UTC') COMMENT 'When enrich built this version (wall clock)',
    started_at DateTime('UTC') COMMENT 'offered_at, or the earliest event time without an offered event',
    started_at_ms UInt16 COMMENT 'Milliseconds within started_at',
    offered_at Nullable(DateTime('UTC')) COMMENT 'Earliest offered event, whole seconds',
    queued_at Nullable(DateTime('UTC')) COMMENT 'Earliest queued event',
    answered_at Nullable(DateTime('UTC')) COMMENT 'Earliest answered event',
    abandoned_at Nullable(DateTime('UTC')) COMMENT 'Earliest abandoned event',
    ended_at Nullable(DateTime('UTC')) COMMENT 'Earliest ended event',
    wait_seconds Nullable(Float64) COMMENT 'Queued (or offered) to answered, abandoned or unanswered end',
    talk_seconds Nullable(Float64) COMMENT 'Answered to ended',
    outcome {{ lc("String") }} COMMENT 'answered, abandoned, short_abandon, closed or no_agent',
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
    inserted_at DateTime('UTC') DEFAULT now() COMMENT 'When the sink stored the row'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY call_id
{{ ttl("inserted_at + INTERVAL 400 DAY") }}
SETTINGS index_granularity = 8192;
