-- Interval aggregates of call_records per 15 and 30 minutes (by started_at = offered time),
-- municipality (0 = unknown) and topic, kept up to date on insert by materialized views.
-- Records arrive more than once (re-emitted versions, at-least-once delivery), so every
-- figure is an aggregate state that deduplicates by call_id: counts are uniqExactIf(call_id),
-- sums are over groupUniqArrayIf((call_id, value)). A call counts once per figure even when
-- it arrives several times; a re-emitted version that CHANGES a call's interval, outcome or
-- wait counts under both the old and the new value (exact figures: call_records FINAL).
-- The view reads call_records directly (no subquery: 18.16 loses subquery columns while
-- pushing to a materialized view, "Unknown identifier"). Read them through the finalizing views call_intervals_15m_v / call_intervals_30m_v.
CREATE TABLE IF NOT EXISTS {{ db }}.call_intervals_15m
(
    interval_start DateTime('UTC') COMMENT 'Start of the 15-minute interval of started_at',
    municipality_code UInt16 COMMENT 'Primary municipality; 0 = unknown',
    topic String COMMENT 'Taxonomy topic',
    within_hours UInt8 COMMENT '1 if offered within opening hours',
    offered AggregateFunction(uniqExact, String),
    answered AggregateFunction(uniqExactIf, String, UInt8),
    answered_within_20s AggregateFunction(uniqExactIf, String, UInt8),
    abandoned AggregateFunction(uniqExactIf, String, UInt8),
    short_abandoned AggregateFunction(uniqExactIf, String, UInt8),
    closed AggregateFunction(uniqExactIf, String, UInt8),
    no_agent AggregateFunction(uniqExactIf, String, UInt8),
    timed_out AggregateFunction(uniqExactIf, String, UInt8),
    talked AggregateFunction(uniqExactIf, String, UInt8),
    wait_answered AggregateFunction(groupUniqArrayIf, Tuple(String, Float64), UInt8),
    talk AggregateFunction(groupUniqArrayIf, Tuple(String, Float64), UInt8)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, municipality_code, topic, within_hours);
CREATE MATERIALIZED VIEW IF NOT EXISTS {{ db }}.call_intervals_15m_mv
TO {{ db }}.call_intervals_15m
AS SELECT
    {{ interval("started_at", 900) }} AS interval_start,
    toUInt16(ifNull(municipality_code, 0)) AS municipality_code,
    CAST(topic AS String) AS topic,
    within_hours,
    uniqExactState(call_id) AS offered,
    uniqExactIfState(call_id, toUInt8(outcome = 'answered')) AS answered,
    uniqExactIfState(call_id, toUInt8(outcome = 'answered' AND ifNull(wait_seconds, 0) <= 20))
        AS answered_within_20s,
    uniqExactIfState(call_id, toUInt8(outcome = 'abandoned')) AS abandoned,
    uniqExactIfState(call_id, toUInt8(outcome = 'short_abandon')) AS short_abandoned,
    uniqExactIfState(call_id, toUInt8(outcome = 'closed')) AS closed,
    uniqExactIfState(call_id, toUInt8(outcome = 'no_agent')) AS no_agent,
    uniqExactIfState(call_id, closed_by_timeout) AS timed_out,
    uniqExactIfState(call_id, toUInt8(isNotNull(talk_seconds))) AS talked,
    groupUniqArrayIfState(
        (call_id, toFloat64(ifNull(wait_seconds, 0))), toUInt8(outcome = 'answered')
    ) AS wait_answered,
    groupUniqArrayIfState(
        (call_id, toFloat64(ifNull(talk_seconds, 0))), toUInt8(isNotNull(talk_seconds))
    ) AS talk
FROM {{ db }}.call_records
GROUP BY interval_start, municipality_code, topic, within_hours;
CREATE VIEW IF NOT EXISTS {{ db }}.call_intervals_15m_v AS
SELECT
    interval_start,
    municipality_code,
    topic,
    within_hours,
    uniqExactMerge(offered) AS offered,
    uniqExactIfMerge(answered) AS answered,
    uniqExactIfMerge(answered_within_20s) AS answered_within_20s,
    uniqExactIfMerge(abandoned) AS abandoned,
    uniqExactIfMerge(short_abandoned) AS short_abandoned,
    uniqExactIfMerge(closed) AS closed,
    uniqExactIfMerge(no_agent) AS no_agent,
    uniqExactIfMerge(timed_out) AS closed_by_timeout,
    uniqExactIfMerge(talked) AS talked,
    arraySum(arrayMap(x -> tupleElement(x, 2), groupUniqArrayIfMerge(wait_answered)))
        AS wait_seconds_sum,
    arraySum(arrayMap(x -> tupleElement(x, 2), groupUniqArrayIfMerge(talk))) AS talk_seconds_sum
FROM {{ db }}.call_intervals_15m
GROUP BY interval_start, municipality_code, topic, within_hours;
CREATE TABLE IF NOT EXISTS {{ db }}.call_intervals_30m
(
    interval_start DateTime('UTC') COMMENT 'Start of the 30-minute interval of started_at',
    municipality_code UInt16 COMMENT 'Primary municipality; 0 = unknown',
    topic String COMMENT 'Taxonomy topic',
    within_hours UInt8 COMMENT '1 if offered within opening hours',
    offered AggregateFunction(uniqExact, String),
    answered AggregateFunction(uniqExactIf, String, UInt8),
    answered_within_20s AggregateFunction(uniqExactIf, String, UInt8),
    abandoned AggregateFunction(uniqExactIf, String, UInt8),
    short_abandoned AggregateFunction(uniqExactIf, String, UInt8),
    closed AggregateFunction(uniqExactIf, String, UInt8),
    no_agent AggregateFunction(uniqExactIf, String, UInt8),
    timed_out AggregateFunction(uniqExactIf, String, UInt8),
    talked AggregateFunction(uniqExactIf, String, UInt8),
    wait_answered AggregateFunction(groupUniqArrayIf, Tuple(String, Float64), UInt8),
    talk AggregateFunction(groupUniqArrayIf, Tuple(String, Float64), UInt8)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, municipality_code, topic, within_hours);
CREATE MATERIALIZED VIEW IF NOT EXISTS {{ db }}.call_intervals_30m_mv
TO {{ db }}.call_intervals_30m
AS SELECT
    {{ interval("started_at", 1800) }} AS interval_start,
    toUInt16(ifNull(municipality_code, 0)) AS municipality_code,
    CAST(topic AS String) AS topic,
    within_hours,
    uniqExactState(call_id) AS offered,
    uniqExactIfState(call_id, toUInt8(outcome = 'answered')) AS answered,
    uniqExactIfState(call_id, toUInt8(outcome = 'answered' AND ifNull(wait_seconds, 0) <= 20))
        AS answered_within_20s,
    uniqExactIfState(call_id, toUInt8(outcome = 'abandoned')) AS abandoned,
    uniqExactIfState(call_id, toUInt8(outcome = 'short_abandon')) AS short_abandoned,
    uniqExactIfState(call_id, toUInt8(outcome = 'closed')) AS closed,
    uniqExactIfState(call_id, toUInt8(outcome = 'no_agent')) AS no_agent,
    uniqExactIfState(call_id, closed_by_timeout) AS timed_out,
    uniqExactIfState(call_id, toUInt8(isNotNull(talk_seconds))) AS talked,
    groupUniqArrayIfState(
        (call_id, toFloat64(ifNull(wait_seconds, 0))), toUInt8(outcome = 'answered')
    ) AS wait_answered,
    groupUniqArrayIfState(
        (call_id, toFloat64(ifNull(talk_seconds, 0))), toUInt8(isNotNull(talk_seconds))
    ) AS talk
FROM {{ db }}.call_records
GROUP BY interval_start, municipality_code, topic, within_hours;
CREATE VIEW IF NOT EXISTS {{ db }}.call_intervals_30m_v AS
SELECT
    interval_start,
    municipality_code,
    topic,
    within_hours,
    uniqExactMerge(offered) AS offered,
    uniqExactIfMerge(answered) AS answered,
    uniqExactIfMerge(answered_within_20s) AS answered_within_20s,
    uniqExactIfMerge(abandoned) AS abandoned,
    uniqExactIfMerge(short_abandoned) AS short_abandoned,
    uniqExactIfMerge(closed) AS closed,
    uniqExactIfMerge(no_agent) AS no_agent,
    uniqExactIfMerge(timed_out) AS closed_by_timeout,
    uniqExactIfMerge(talked) AS talked,
    arraySum(arrayMap(x -> tupleElement(x, 2), groupUniqArrayIfMerge(wait_answered)))
        AS wait_seconds_sum,
    arraySum(arrayMap(x -> tupleElement(x, 2), groupUniqArrayIfMerge(talk))) AS talk_seconds_sum
FROM {{ db }}.call_intervals_30m
GROUP BY interval_start, municipality_code, topic, within_hours;
