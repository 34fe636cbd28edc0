-- The business rules and the topic dimension, loaded by `hotline migrate` after the migrations
-- (hotline_sink/reference.py), so views take thresholds from the rules (HOTLINE_RULES__*) and
-- topic labels from the taxonomy instead of literals. Changing a rule and re-running
-- `hotline migrate` changes every view that reads it, history included; no migration changes.
-- load_id is a nanosecond clock: the newest load wins even within one second.
CREATE TABLE IF NOT EXISTS {{ db }}.rules
(
    rule String COMMENT 'Rule name: service_level_seconds, service_level_target, short_abandon_seconds, repeat_caller_days',
    value Float64 COMMENT 'Its value (HOTLINE_RULES__<RULE> when migrate last ran)',
    load_id UInt64 COMMENT 'Nanoseconds since the epoch at the load; the ReplacingMergeTree version',
    loaded_at DateTime('UTC') DEFAULT now() COMMENT 'When hotline migrate loaded the row'
)
ENGINE = ReplacingMergeTree(load_id)
ORDER BY rule;
-- One row, one column per rule: views read it as scalar subqueries or with CROSS JOIN.
-- `loaded` is 0 until `hotline migrate` ran the loader (every threshold then reads 0).
CREATE VIEW IF NOT EXISTS {{ db }}.rules_v AS
SELECT
    argMaxIf(value, load_id, rule = 'service_level_seconds') AS service_level_seconds,
    argMaxIf(value, load_id, rule = 'service_level_target') AS service_level_target,
    argMaxIf(value, load_id, rule = 'short_abandon_seconds') AS short_abandon_seconds,
    toUInt16(argMaxIf(value, load_id, rule = 'repeat_caller_days')) AS repeat_caller_days,
    toUInt8(count() > 0) AS loaded
FROM {{ db }}.rules;
-- The topic dimension from the taxonomy: one row per stored topic id. A former id (a topic
-- renamed since, e.g. mitid_login -> nemid_login) has its own row pointing at the current id,
-- so calls stored under the old id still find their labels. Read with FINAL.
CREATE TABLE IF NOT EXISTS {{ db }}.topics
(
    topic String COMMENT 'Topic id as stored on calls (call_events.topic, call_records.topic)',
    topic_id String COMMENT 'The id in the current taxonomy (differs for a former id)',
    label_da String COMMENT 'Danish label, named for what it was at the time of the calls',
    label_en String COMMENT 'English label',
    current_label_da Nullable(String) COMMENT 'What the subject is called today, if different (Danish)',
    current_label_en Nullable(String) COMMENT 'What the subject is called today, if different (English)',
    in_scope UInt8 COMMENT '1 if the hotline may handle the topic',
    sort_order UInt16 COMMENT 'Position in the taxonomy file',
    load_id UInt64 COMMENT 'Nanoseconds since the epoch at the load; the ReplacingMergeTree version',
    loaded_at DateTime('UTC') DEFAULT now() COMMENT 'When hotline migrate loaded the row'
)
ENGINE = ReplacingMergeTree(load_id)
ORDER BY topic;
