-- Catchment-load views: what the seven municipalities' citizens ask of the hotline, for the
-- pilot evaluation (`hotline load-report` reads them, and so can anyone with SQL).
-- All views cover the whole history in call_records, read with FINAL (one row per call, the
-- highest version). Local time is Europe/Copenhagen: an evening, a weekday and a half hour are
-- what callers and rosters see, across DST switches. Weekdays are ISO: 1 = Monday, 7 = Sunday.
-- Rules (also in docs/clickhouse.md):
--   * a call counts for its PRIMARY municipality (the GeoNames primary that enrich picked for
--     the postcode). A postcode shared by several municipalities is not split between them.
--   * origin: catchment (primary is one of the seven), outside_catchment, unknown_postcode
--     (keyed but not a Danish postcode we know) or no_postcode (nothing keyed).
--   * an open evening is a local date with at least one call offered within opening hours.
--   * demand is offered calls: every call that reached the line, whatever its outcome.

-- One row per call with its local-time coordinates. The base of the other views.
CREATE VIEW IF NOT EXISTS {{ db }}.calls_local_v AS
SELECT
    call_id,
    started_at,
    {{ interval("started_at", 1800) }} AS interval_start,
    toDate(started_at, 'Europe/Copenhagen') AS local_date,
    toDayOfWeek(toDate(started_at, 'Europe/Copenhagen')) AS local_weekday,
    toHour(started_at, 'Europe/Copenhagen') AS local_hour,
    toUInt16(
        toHour(started_at, 'Europe/Copenhagen') * 60
        + intDiv(toMinute(started_at, 'Europe/Copenhagen'), 30) * 30
    ) AS local_slot_minute,
    CAST(outcome AS String) AS outcome,
    within_hours,
    CAST(topic AS String) AS topic,
    in_scope,
    wait_seconds,
    talk_seconds,
    toUInt16(ifNull(municipality_code, 0)) AS municipality_code,
    ifNull(municipality_name, '') AS municipality_name,
    origin
FROM
(
    -- Decided on the stored columns, before the aliases above reuse their names.
    SELECT
        *,
        multiIf(
            isNull(caller_postcode) OR caller_postcode = '', 'no_postcode',
            isNull(municipality_code), 'unknown_postcode',
            in_catchment = 1, 'catchment',
            'outside_catchment'
        ) AS origin
    FROM {{ db }}.call_records FINAL
);

-- Offered calls per 1,000 citizens per open evening for each hotline municipality (within
-- opening hours), with the population figure and its source from the municipality dimension.
CREATE VIEW IF NOT EXISTS {{ db }}.load_by_municipality_v AS
SELECT
    municipality_code,
    municipality_name,
    population,
    population_date,
    source,
    calls,
    (SELECT uniqExact(local_date) FROM {{ db }}.calls_local_v WHERE within_hours = 1)
        AS open_evenings,
    if(open_evenings = 0 OR population = 0, 0.,
        calls * 1000. / population / open_evenings) AS calls_per_1000_per_evening
FROM
(
    SELECT municipality_code, municipality_name, population, population_date, source
    FROM {{ db }}.municipalities FINAL
    WHERE hotline_member = 1
) AS member
ANY LEFT JOIN
(
    SELECT municipality_code, count() AS calls
    FROM {{ db }}.calls_local_v
    WHERE within_hours = 1
    GROUP BY municipality_code
) AS offered USING municipality_code;

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
    SELECT if(origin = 'catchment', municipality_name, origin) AS area, topic, count() AS calls
    FROM {{ db }}.calls_local_v
    GROUP BY area, topic
) AS mix
ANY LEFT JOIN
(
    SELECT if(origin = 'catchment', municipality_name, origin) AS area, count() AS area_calls
    FROM {{ db }}.calls_local_v
    GROUP BY area
) AS total USING area;

-- Per local date and half hour (calls within opening hours): offered load and what happened
-- to it. A half hour with no call has no row: readers fill zeros for the open evenings.
-- waited_seconds_sum adds the waits of answered and (long) abandoned calls: with the number
-- of abandons it estimates the callers' mean patience (exponential, censored by answers).
CREATE VIEW IF NOT EXISTS {{ db }}.load_intervals_v AS
SELECT
    local_date,
    local_weekday,
    local_slot_minute,
    min(interval_start) AS interval_start,
    count() AS offered,
    countIf(outcome = 'answered') AS answered,
    countIf(outcome = 'answered' AND ifNull(wait_seconds, 0) <= 20) AS answered_within_20s,
    countIf(outcome = 'abandoned') AS abandoned,
    countIf(outcome = 'short_abandon') AS short_abandoned,
    countIf(isNotNull(talk_seconds)) AS talked,
    sum(ifNull(talk_seconds, 0)) AS talk_seconds_sum,
    sum(if(outcome IN ('answered', 'abandoned'), ifNull(wait_seconds, 0), 0))
        AS waited_seconds_sum
FROM {{ db }}.calls_local_v
WHERE within_hours = 1
GROUP BY local_date, local_weekday, local_slot_minute;
