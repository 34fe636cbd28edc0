-- Queue truth in the views: menu time apart from queue time, the outcomes of kpi.py (menu
-- hang-ups and calls that left the queue apart from abandons), thresholds from the rules
-- (rules_v, loaded by `hotline migrate` from HOTLINE_RULES__*) instead of literals, the one
-- definition of "calls per 1,000 citizens" (kpi per_1000), and an unknown municipality as
-- NULL. Definitions come from hotline_schemas/kpi.py through kpi placeholders.
--
-- The interval aggregates of 0005 counted outcomes at insert time with a literal 20 s and
-- counted a call whose late event changed its outcome under both values. They are derived data
-- only: dropped here, and call_intervals_15m_v / call_intervals_30m_v come back as exact views
-- over call_records FINAL. The views of 0006 are replaced with the same names and columns,
-- plus the new ones (answered_within_20s is now answered_within, at the rule's threshold).
DROP TABLE IF EXISTS {{ db }}.call_intervals_15m_mv;
DROP TABLE IF EXISTS {{ db }}.call_intervals_30m_mv;
DROP TABLE IF EXISTS {{ db }}.call_intervals_15m_v;
DROP TABLE IF EXISTS {{ db }}.call_intervals_30m_v;
DROP TABLE IF EXISTS {{ db }}.call_intervals_15m;
DROP TABLE IF EXISTS {{ db }}.call_intervals_30m;
DROP TABLE IF EXISTS {{ db }}.load_intervals_v;
DROP TABLE IF EXISTS {{ db }}.load_topic_mix_v;
DROP TABLE IF EXISTS {{ db }}.load_while_closed_v;
DROP TABLE IF EXISTS {{ db }}.load_by_origin_v;
DROP TABLE IF EXISTS {{ db }}.load_by_municipality_v;
DROP TABLE IF EXISTS {{ db }}.calls_local_v;

-- One row per call (its highest version), in local time, classified by the current rules.
-- The base of every other call view. Filter it on first_seen_month (YYYYMM of the partition
-- key first_seen_at; see docs/clickhouse.md, "Date ranges") to read only those months.
--   outcome        the record's outcome, as enrich decided it with the rules of its time
--   queue_outcome  the same under today's rules (kpi.queue_outcome): abandons split again at
--                  today's short-abandon threshold; v1 records of callers who never queued
--                  become menu_hangup
--   answered_within 1 if answered within today's service-level threshold of queue entry
--   origin         catchment, outside_catchment, unknown_postcode or no_postcode
--   data_origin    live, or import (history loaded later)
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
        -- Decided on the stored columns, before the outer aliases reuse their names.
        SELECT
            call_id,
            first_seen_month,
            tupleElement(r, 21) AS first_seen_at,
            tupleElement(r, 1) AS started_at,
            tupleElement(r, 2) AS stored_outcome,
            tupleElement(r, 3) AS within_hours,
            tupleElement(r, 4) AS topic_id,
            tupleElement(r, 5) AS in_scope,
            tupleElement(r, 6) AS wait_seconds,
            tupleElement(r, 7) AS menu_seconds,
            tupleElement(r, 8) AS talk_seconds,
            tupleElement(r, 9) AS end_reason,
            tupleElement(r, 10) AS queue,
            tupleElement(r, 11) AS agent_id,
            tupleElement(r, 12) AS offered_at,
            tupleElement(r, 13) AS queued_at,
            tupleElement(r, 14) AS answered_at,
            tupleElement(r, 15) AS ended_at,
            tupleElement(r, 16) AS municipality_code,
            tupleElement(r, 17) AS municipality_name,
            tupleElement(r, 18) AS catchment_origin,
            tupleElement(r, 19) AS data_origin,
            tupleElement(r, 20) AS caller_key,
            (SELECT service_level_seconds FROM {{ db }}.rules_v) AS service_level_seconds,
            (SELECT short_abandon_seconds FROM {{ db }}.rules_v) AS short_abandon_seconds
        FROM
        (
            -- The highest version of each call per partition, as FINAL gives, but by GROUP BY
            -- on the partition key: a filter on first_seen_month is then pushed down to the
            -- read and prunes partitions on current ClickHouse (FINAL reads them all). Exact,
            -- because every version of a call has its first_seen_at, so the same partition.
            -- One argMax over a tuple: argMax of a Nullable column skips NULLs on 18.16 and
            -- would return an older version's value.
            SELECT
                call_id,
                toYYYYMM(first_seen_at) AS first_seen_month,
                argMax(
                    (
                        started_at,
                        CAST(outcome AS String),
                        within_hours,
                        CAST(topic AS String),
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
                        ),
                        CAST(origin AS String),
                        caller_key,
                        first_seen_at
                    ),
                    version
                ) AS r
            FROM {{ db }}.call_records
            GROUP BY call_id, first_seen_month
        )
    )
);

-- Per 15 and 30 minutes (the interval containing the offered time, UTC), municipality (NULL:
-- unknown), topic and within_hours: what happened to the calls. Exact: one row per call
-- (calls_local_v). ASA = wait_seconds_sum / answered, AHT = talk_seconds_sum / talked; ratios
-- by the kpi definitions (service level = answered_within / (answered + abandoned +
-- left_queue)).
CREATE VIEW IF NOT EXISTS {{ db }}.call_intervals_15m_v AS
SELECT
    interval_15m_start AS interval_start,
    municipality_code,
    topic,
    within_hours,
    count() AS offered,
    countIf(queue_outcome = 'answered') AS answered,
    sum(answered_within) AS answered_within,
    countIf(queue_outcome = 'abandoned') AS abandoned,
    countIf(queue_outcome = 'short_abandon') AS short_abandoned,
    countIf(queue_outcome = 'menu_hangup') AS menu_hangups,
    countIf(queue_outcome = 'left_queue') AS left_queue,
    countIf(queue_outcome = 'closed') AS closed,
    countIf(queue_outcome = 'no_agent') AS no_agent,
    countIf(isNotNull(talk_seconds)) AS talked,
    sumIf(ifNull(wait_seconds, 0), queue_outcome = 'answered') AS wait_seconds_sum,
    sum(ifNull(talk_seconds, 0)) AS talk_seconds_sum,
    sum(ifNull(menu_seconds, 0)) AS menu_seconds_sum,
    any(service_level_seconds) AS service_level_seconds
FROM {{ db }}.calls_local_v
GROUP BY interval_start, municipality_code, topic, within_hours;
CREATE VIEW IF NOT EXISTS {{ db }}.call_intervals_30m_v AS
SELECT
    interval_start,
    municipality_code,
    topic,
    within_hours,
    count() AS offered,
    countIf(queue_outcome = 'answered') AS answered,
    sum(answered_within) AS answered_within,
    countIf(queue_outcome = 'abandoned') AS abandoned,
    countIf(queue_outcome = 'short_abandon') AS short_abandoned,
    countIf(queue_outcome = 'menu_hangup') AS menu_hangups,
    countIf(queue_outcome = 'left_queue') AS left_queue,
    countIf(queue_outcome = 'closed') AS closed,
    countIf(queue_outcome = 'no_agent') AS no_agent,
    countIf(isNotNull(talk_seconds)) AS talked,
    sumIf(ifNull(wait_seconds, 0), queue_outcome = 'answered') AS wait_seconds_sum,
    sum(ifNull(talk_seconds, 0)) AS talk_seconds_sum,
    sum(ifNull(menu_seconds, 0)) AS menu_seconds_sum,
    any(service_level_seconds) AS service_level_seconds
FROM {{ db }}.calls_local_v
GROUP BY interval_start, municipality_code, topic, within_hours;

-- Offered calls per 1,000 citizens per open evening for each hotline municipality (within
-- opening hours), with the population figure and its source. per_1000 is kpi.per_1000 of the
-- calls of an average open evening.
CREATE VIEW IF NOT EXISTS {{ db }}.load_by_municipality_v AS
SELECT
    municipality_code,
    municipality_name,
    population,
    population_date,
    source,
    calls,
    open_evenings,
    calls_per_evening,
    {{ kpi("per_1000", "calls_per_evening", "population") }} AS calls_per_1000_per_evening
FROM
(
    SELECT
        *,
        (SELECT uniqExact(local_date) FROM {{ db }}.calls_local_v WHERE within_hours = 1)
            AS open_evenings,
        if(open_evenings = 0, 0., calls / open_evenings) AS calls_per_evening
    FROM
    (
        SELECT municipality_code, municipality_name, population, population_date, source
        FROM {{ db }}.municipalities FINAL
        WHERE hotline_member = 1
    ) AS member
    ANY LEFT JOIN
    (
        SELECT assumeNotNull(municipality_code) AS municipality_code, count() AS calls
        FROM {{ db }}.calls_local_v
        WHERE within_hours = 1 AND isNotNull(municipality_code)
        GROUP BY municipality_code
    ) AS offered USING municipality_code
);

-- Where calls come from: the share from the catchment, from outside it and with no usable
-- postcode, over all offered calls (within and outside opening hours).
CREATE VIEW IF NOT EXISTS {{ db }}.load_by_origin_v AS
SELECT
    origin,
    count() AS calls,
    sum(within_hours) AS calls_within_hours,
    count() / (SELECT count() FROM {{ db }}.calls_local_v) AS share
FROM {{ db }}.calls_local_v
GROUP BY origin;

-- Demand outside the opening hours: calls offered while closed, by local weekday and hour,
-- with the number of distinct dates they came on.
CREATE VIEW IF NOT EXISTS {{ db }}.load_while_closed_v AS
SELECT
    local_weekday,
    local_hour,
    count() AS calls,
    uniqExact(local_date) AS dates
FROM {{ db }}.calls_local_v
WHERE within_hours = 0
GROUP BY local_weekday, local_hour;

-- Topic mix per area: a hotline municipality by name, or the origin for everything else.
CREATE VIEW IF NOT EXISTS {{ db }}.load_topic_mix_v AS
SELECT
    area,
    topic,
    calls,
    calls / area_calls AS share_of_area
FROM
(
    SELECT
        if(origin = 'catchment', assumeNotNull(municipality_name), origin) AS area,
        topic,
        count() AS calls
    FROM {{ db }}.calls_local_v
    GROUP BY area, topic
) AS mix
ANY LEFT JOIN
(
    SELECT
        if(origin = 'catchment', assumeNotNull(municipality_name), origin) AS area,
        count() AS area_calls
    FROM {{ db }}.calls_local_v
    GROUP BY area
) AS total USING area;

-- Per local date and half hour (calls within opening hours): offered load and what happened
-- to it. A half hour with no call has no row: readers fill zeros for the open evenings.
-- waited_seconds_sum adds the queue waits of answered, (long) abandoned and left-the-queue
-- calls: with the number of abandons it estimates the callers' mean patience (exponential,
-- censored by answers and by the queue's time-out).
CREATE VIEW IF NOT EXISTS {{ db }}.load_intervals_v AS
SELECT
    local_date,
    local_weekday,
    local_slot_minute,
    min(interval_start) AS interval_start,
    count() AS offered,
    countIf(queue_outcome = 'answered') AS answered,
    sum(answered_within) AS answered_within,
    countIf(queue_outcome = 'abandoned') AS abandoned,
    countIf(queue_outcome = 'short_abandon') AS short_abandoned,
    countIf(queue_outcome = 'menu_hangup') AS menu_hangups,
    countIf(queue_outcome = 'left_queue') AS left_queue,
    countIf(isNotNull(talk_seconds)) AS talked,
    sum(ifNull(talk_seconds, 0)) AS talk_seconds_sum,
    sumIf(ifNull(wait_seconds, 0), queue_outcome IN ('answered', 'abandoned', 'left_queue'))
        AS waited_seconds_sum,
    sumIf(ifNull(wait_seconds, 0), queue_outcome = 'answered') AS wait_answered_seconds_sum
FROM {{ db }}.calls_local_v
WHERE within_hours = 1
GROUP BY local_date, local_weekday, local_slot_minute;
