-- Callers, not just calls: unique and repeat callers per municipality, topic and month, the
-- analyst's proxy for first-contact resolution. A caller is the pseudonym `caller_key` (an
-- HMAC of the number: the same number gives the same key); calls with a withheld number have
-- none and count as calls, never as callers or repeats.
-- Rules (also in docs/clickhouse.md):
--   * only calls offered within opening hours count (the service delivered);
--   * a repeat call is a call from a caller who called before within the rule
--     repeat_caller_days (rules_v, HOTLINE_RULES__REPEAT_CALLER_DAYS, default 7) of it;
--     called_again: the caller called again within that many days after it (the call did not
--     settle the matter: 1 - called_again / calls_with_caller is the resolution proxy);
--   * the look-back and look-ahead cross any date range a reader filters on: a call on the
--     first day of a range whose previous call came the day before is a repeat.
-- 18.16 has no window functions: each caller's calls are an array sorted by time, and the
-- flags are computed on whole arrays. (18.16 loses a subquery column that only a lambda uses,
-- so no lambda here reads anything but its own arguments: the window goes in as an array.)

-- One row per call within opening hours, with the caller's call before it and the flags.
CREATE VIEW IF NOT EXISTS {{ db }}.caller_calls_v AS
SELECT
    call_id,
    caller_known,
    caller_key,
    started_at,
    local_date,
    local_month,
    topic,
    municipality_code,
    municipality_name,
    queue_outcome,
    previous_started_at,
    is_repeat,
    toUInt8(ifNull(same_topic, 0)) AS is_repeat_same_topic,
    called_again,
    repeat_caller_days
FROM
(
    SELECT
        tupleElement(c, 2) AS call_id,
        caller_known,
        if(caller_known = 1, caller, NULL) AS caller_key,
        toDateTime(tupleElement(c, 1), 'UTC') AS started_at,
        toDate(toDateTime(tupleElement(c, 1), 'UTC'), 'Europe/Copenhagen') AS local_date,
        toStartOfMonth(toDate(toDateTime(tupleElement(c, 1), 'UTC'), 'Europe/Copenhagen'))
            AS local_month,
        tupleElement(c, 3) AS topic,
        tupleElement(c, 4) AS municipality_code,
        tupleElement(c, 5) AS municipality_name,
        tupleElement(c, 6) AS queue_outcome,
        if(previous > 0, toDateTime(previous, 'UTC'), NULL) AS previous_started_at,
        toUInt8(caller_known = 1 AND repeat = 1) AS is_repeat,
        toUInt8(caller_known = 1 AND again = 1) AS called_again,
        repeat_caller_days
    FROM
    (
        SELECT
            caller,
            caller_known,
            repeat_caller_days,
            calls,
            arrayPushFront(arrayPopBack(times), 0) AS previous_times,
            arrayMap((t, p, w) -> toUInt8(p > 0 AND t - p <= w), times, previous_times, windows)
                AS repeats,
            arrayMap(
                (t, n, w) -> toUInt8(n > 0 AND n - t <= w),
                times, arrayPushBack(arrayPopFront(times), 0), windows
            ) AS agains
        FROM
        (
            SELECT
                caller,
                caller_known,
                repeat_caller_days,
                calls,
                arrayMap(x -> tupleElement(x, 1), calls) AS times,
                arrayResize(CAST([] AS Array(UInt32)), length(calls), repeat_caller_days * 86400)
                    AS windows
            FROM
            (
                SELECT
                    -- A withheld number is a caller of its own: one call, no repeats.
                    ifNull(caller_key, call_id) AS caller,
                    toUInt8(isNotNull(caller_key)) AS caller_known,
                    toUInt32(any(repeat_days)) AS repeat_caller_days,
                    -- Sorted by (time, call_id): ties never compare the other elements.
                    arraySort(groupArray((
                        toUInt32(started_at), call_id, topic, municipality_code,
                        municipality_name, queue_outcome
                    ))) AS calls
                FROM
                (
                    SELECT *, (SELECT repeat_caller_days FROM {{ db }}.rules_v) AS repeat_days
                    FROM {{ db }}.calls_local_v
                    WHERE within_hours = 1
                )
                GROUP BY caller, caller_known
            )
        )
    )
    ARRAY JOIN calls AS c, previous_times AS previous, repeats AS repeat, agains AS again
) AS call
ANY LEFT JOIN
(
    -- The same per caller and topic: a repeat about the same subject.
    SELECT tupleElement(c, 2) AS call_id, same_topic
    FROM
    (
        SELECT
            calls,
            arrayMap(
                (t, p, w) -> toUInt8(p > 0 AND t - p <= w),
                times, arrayPushFront(arrayPopBack(times), 0), windows
            ) AS repeats
        FROM
        (
            SELECT
                calls,
                arrayMap(x -> tupleElement(x, 1), calls) AS times,
                arrayResize(CAST([] AS Array(UInt32)), length(calls), window) AS windows
            FROM
            (
                SELECT
                    arraySort(groupArray((toUInt32(started_at), call_id))) AS calls,
                    toUInt32(any(repeat_days)) * 86400 AS window
                FROM
                (
                    SELECT *, (SELECT repeat_caller_days FROM {{ db }}.rules_v) AS repeat_days
                    FROM {{ db }}.calls_local_v
                    WHERE within_hours = 1 AND isNotNull(caller_key)
                )
                GROUP BY caller_key, topic
            )
        )
    )
    ARRAY JOIN calls AS c, repeats AS same_topic
) AS topic_repeats USING call_id;

-- Per municipality of the call (NULL: unknown or no postcode). Counting callers: assumeNotNull,
-- because 18.16 makes an aggregate over only NULLs NULL rather than 0 (caller_known guards it).
CREATE VIEW IF NOT EXISTS {{ db }}.callers_by_municipality_v AS
SELECT
    municipality_code,
    any(municipality_name) AS municipality_name,
    count() AS calls,
    countIf(caller_known = 0) AS calls_withheld,
    countIf(caller_known = 1) AS calls_with_caller,
    uniqExactIf(assumeNotNull(caller_key), caller_known = 1) AS callers,
    sum(is_repeat) AS repeat_calls,
    uniqExactIf(assumeNotNull(caller_key), is_repeat = 1) AS repeat_callers,
    sum(called_again) AS called_again,
    any(repeat_caller_days) AS repeat_caller_days
FROM {{ db }}.caller_calls_v
GROUP BY municipality_code;

-- Per topic (its current id: a call stored under a former id, such as mitid_login, counts
-- under the topic it became), with the labels of the topic dimension.
CREATE VIEW IF NOT EXISTS {{ db }}.callers_by_topic_v AS
SELECT
    topic,
    any(label_da) AS label_da,
    any(label_en) AS label_en,
    any(current_label_da) AS current_label_da,
    any(current_label_en) AS current_label_en,
    any(in_scope) AS in_scope,
    count() AS calls,
    countIf(caller_known = 0) AS calls_withheld,
    countIf(caller_known = 1) AS calls_with_caller,
    uniqExactIf(assumeNotNull(caller_key), caller_known = 1) AS callers,
    sum(is_repeat) AS repeat_calls,
    sum(is_repeat_same_topic) AS repeat_calls_same_topic,
    uniqExactIf(assumeNotNull(caller_key), is_repeat = 1) AS repeat_callers,
    sum(called_again) AS called_again,
    any(repeat_caller_days) AS repeat_caller_days
FROM
(
    SELECT
        if(topic_id = '', stored_topic, topic_id) AS topic,
        label_da, label_en, current_label_da, current_label_en, in_scope,
        caller_known, caller_key, is_repeat, is_repeat_same_topic, called_again,
        repeat_caller_days
    FROM
    (
        SELECT
            topic AS stored_topic, caller_known, caller_key, is_repeat, is_repeat_same_topic,
            called_again, repeat_caller_days
        FROM {{ db }}.caller_calls_v
    ) AS calls
    ANY LEFT JOIN
    (
        SELECT
            topic AS stored_topic, topic_id, label_da, label_en, current_label_da,
            current_label_en, in_scope
        FROM {{ db }}.topics FINAL
    ) AS labels USING stored_topic
)
GROUP BY topic;

-- Per local month: the headline of a period (issue 13's summary reads it).
CREATE VIEW IF NOT EXISTS {{ db }}.callers_by_month_v AS
SELECT
    local_month,
    count() AS calls,
    countIf(caller_known = 0) AS calls_withheld,
    countIf(caller_known = 1) AS calls_with_caller,
    uniqExactIf(assumeNotNull(caller_key), caller_known = 1) AS callers,
    sum(is_repeat) AS repeat_calls,
    uniqExactIf(assumeNotNull(caller_key), is_repeat = 1) AS repeat_callers,
    sum(called_again) AS called_again,
    any(repeat_caller_days) AS repeat_caller_days
FROM {{ db }}.caller_calls_v
GROUP BY local_month;
