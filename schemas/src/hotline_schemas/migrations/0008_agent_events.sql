-- One row per agent event (AgentEvent v1), written by the sink from hotline.agent-events:
-- agents logging in and out, pausing (with the reason), not answering a call that rang them,
-- in after-call work. Deduplicated on event_id like call_events: ReplacingMergeTree keeps the
-- row with the latest inserted_at when parts merge; exact queries use FINAL or
-- argMax(..., inserted_at). Importing a provider file twice adds nothing to FINAL results
-- (the adapters' event ids are deterministic). Agent ids are the staff's personal data: kept
-- like the other tables, 731 days from inserted_at (imported history is not deleted on
-- arrival); `hotline retention` manages it with them (HOTLINE_RETENTION__AGENTS_DAYS).
-- Columns are also documented in docs/clickhouse.md.
CREATE TABLE IF NOT EXISTS {{ db }}.agent_events
(
    event_id String COMMENT 'Event id; the dedup key (sorting key)',
    agent_id String COMMENT 'The agent (queue member name or provider user name)',
    type {{ lc("String") }} COMMENT 'logged_in, logged_out, paused, unpaused, ring_no_answer, wrap_up_started or wrap_up_ended',
    occurred_at DateTime('UTC') COMMENT 'Event time at the provider, whole seconds, UTC',
    occurred_at_ms UInt16 COMMENT 'Milliseconds within occurred_at (no DateTime64 on 18.16)',
    schema_version UInt8 COMMENT 'Contract version',
    queue Nullable(String) COMMENT 'The queue it concerns; NULL for all of the agent\'s queues',
    reason Nullable(String) COMMENT 'Pause reason (break, meeting, ...) when given',
    call_id Nullable(String) COMMENT 'The call, for ring_no_answer and wrap-up events',
    origin {{ lc("String") }} COMMENT 'live or import (history loaded later)',
    source Nullable(String) COMMENT 'The provider format: asterisk-queue-log, connect-ctr, ...',
    inserted_at DateTime('UTC') DEFAULT now() COMMENT 'When the sink stored the row; the ReplacingMergeTree version'
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY event_id
{{ ttl("inserted_at + INTERVAL 731 DAY") }}
SETTINGS index_granularity = 8192;
