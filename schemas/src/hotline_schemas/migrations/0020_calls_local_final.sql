-- calls_local_v, the base of every call view, deduplicates with FINAL instead of GROUP BY.
--
-- Measured (benchmarks/history.py: two years at ten times the pilot, 827,816 calls): one read
-- of the GROUP BY form took 4.3-5.4 s on ClickHouse 18.16 and 8.4 s on current ClickHouse
-- (chdb), nearly all of it in argMax over the 21-column tuple (a generic value per row); the
-- same read with FINAL 0.3-0.6 s. The load report reads the view some fifteen times (several
-- views read it twice), so it took 85 s on 18.16. FINAL is exact here for the same reason the
-- GROUP BY was: every version of a call has its first_seen_at, so it lies in one partition,
-- and FINAL keeps the highest version per call_id there.
--
-- What FINAL gives up: current ClickHouse prunes no partition under FINAL, not even from a
-- filter on the partition key (EXPLAIN indexes = 1: Parts 25/25), so a reader's filter on
-- first_seen_month no longer limits what calls_local_v reads. The GROUP BY form stays as
-- calls_by_month_v, for reads of a few months on current ClickHouse (docs/clickhouse.md,
-- "Date ranges"); 18.16 reads every partition through either view.
--
-- Views read their base views by name when queried, so every view over calls_local_v
-- (intervals, load, callers, agents) gets the FINAL form without being recreated.
--
-- 0012's view keeps its definition under its new name (the runner skips a rename already done,
-- so a half-applied run goes on from here).
RENAME TABLE {{ db }}.calls_local_v TO {{ db }}.calls_by_month_v;
CREATE VIEW IF NOT EXISTS {{ db }}.calls_local_v AS
SELECT
    call_id,
    first_seen_month,
    first_seen_at,
    started_at,
    {{ interval("started_at", 1800) }} AS interval_start,
    {{ interval("started_at", 900) }} AS interval_15m_start,
    toDate(started_at, 'Europe/Copenhagen') AS local_date,
    toDayOfWeek(toDate(started_at, 'Europe/Copenhagen')) AS local_weekday,
    toHour(started_at, 'Europe/Copenhagen') AS local_hour,
    toUInt16(
        toHour(started_at, 'Europe/Copenhagen') * 60
        + intDiv(toMinute(started_at, 'Europe/Copenhagen'), 30) * 30
    ) AS local_slot_minute,
    stored_outcome AS outcome,
    queue_outcome_now AS queue_outcome,
    answered_within_now AS answered_within,
    within_hours,
    topic_id AS topic,
    in_scope,
    if(queue_outcome_now = 'menu_hangup', NULL, wait_seconds) AS wait_seconds,
    menu_seconds,
    talk_seconds,
    end_reason,
    queue,
    agent_id,
    offered_at,
    queued_at,
    answered_at,
    ended_at,
    municipality_code,
    municipality_name,
    catchment_origin AS origin,
    data_origin,
    caller_key,
    service_level_seconds,
    short_abandon_seconds
FROM
(
    SELECT
        *,
        {{ kpi("queue_outcome") }} AS queue_outcome_now,
        {{ kpi("answered_within") }} AS answered_within_now
    FROM
    (
        -- Decided on the stored columns, before the outer aliases reuse their names. FINAL
        -- keeps each call's highest version in its partition, as GROUP BY call_id,
        -- first_seen_month does in calls_by_month_v.
        SELECT
            call_id,
            toYYYYMM(first_seen_at) AS first_seen_month,
            first_seen_at,
            started_at,
            CAST(outcome AS String) AS stored_outcome,
            within_hours,
            CAST(topic AS String) AS topic_id,
            in_scope,
            wait_seconds,
            menu_seconds,
            talk_seconds,
            end_reason,
            queue,
            agent_id,
            offered_at,
            queued_at,
            answered_at,
            ended_at,
            municipality_code,
            municipality_name,
            multiIf(
                isNull(caller_postcode) OR caller_postcode = '', 'no_postcode',
                isNull(municipality_code), 'unknown_postcode',
                in_catchment = 1, 'catchment',
                'outside_catchment'
            ) AS catchment_origin,
            CAST(origin AS String) AS data_origin,
            caller_key,
            (SELECT service_level_seconds FROM {{ db }}.rules_v) AS service_level_seconds,
            (SELECT short_abandon_seconds FROM {{ db }}.rules_v) AS short_abandon_seconds
        FROM {{ db }}.call_records FINAL
    )
);
