-- One row per enriched call event (EnrichedEvent v1), written by the sink.
-- Deduplicated on event_id: ReplacingMergeTree keeps the row with the latest inserted_at
-- when parts merge; queries that must be exact use FINAL or argMax(..., inserted_at).
-- Retention counts from inserted_at, not occurred_at, so replayed history (2012-2013) is
-- not deleted on arrival. Columns are also documented in docs/clickhouse.md.
CREATE TABLE IF NOT EXISTS {{ db }}.call_events
(
    event_id String COMMENT 'Provider event id; the dedup key (sorting key)',
    call_id String COMMENT 'The call this event belongs to',
    type {{ lc("String") }} COMMENT 'offered, queued, answered, abandoned or ended',
    occurred_at DateTime('UTC') COMMENT 'Event time at the provider, whole seconds, UTC',
    occurred_at_ms UInt16 COMMENT 'Milliseconds within occurred_at (no DateTime64 on 18.16)',
    schema_version UInt8 COMMENT 'Contract version',
    line {{ lc("String") }} COMMENT 'Number dialled, E.164',
    caller_key Nullable(String) COMMENT 'HMAC pseudonym of the caller number; NULL if withheld',
    caller_postcode Nullable(String) COMMENT 'Postcode keyed in the IVR, as given',
    postcode_known UInt8 COMMENT '1 if the postcode is in the reference table',
    municipality_code Nullable(UInt16) COMMENT 'Primary municipality (kommunekode); NULL if unknown',
    municipality_name Nullable(String) COMMENT 'Name of the primary municipality',
    municipality_candidates Array(UInt16) COMMENT 'Every municipality the postcode overlaps, primary first',
    municipality_ambiguous UInt8 COMMENT '1 if the postcode overlaps several municipalities',
    in_catchment UInt8 COMMENT '1 if the primary municipality is one of the seven',
    ivr_choice Nullable(String) COMMENT 'IVR menu digit',
    wrap_up_code Nullable(String) COMMENT 'Code the agent set after the call',
    agent_id Nullable(String) COMMENT 'Agent',
    queue Nullable(String) COMMENT 'Queue',
    topic {{ lc("String") }} COMMENT 'Taxonomy topic',
    topic_source {{ lc("String") }} COMMENT 'wrap_up_code, ivr_choice or none',
    in_scope UInt8 COMMENT '1 if the topic is within the hotline\'s scope',
    within_hours UInt8 COMMENT '1 if the event time is within opening hours (Europe/Copenhagen)',
    enriched_at DateTime('UTC') COMMENT 'When enrich processed the event, whole seconds, UTC',
    inserted_at DateTime('UTC') DEFAULT now() COMMENT 'When the sink stored the row; the ReplacingMergeTree version'
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY event_id
{{ ttl("inserted_at + INTERVAL 400 DAY") }}
SETTINGS index_granularity = 8192;
