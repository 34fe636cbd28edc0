-- The pilot evaluation (`hotline pilot-report`), part 2: who calls and about what, per local
-- date, so a reader sums any date range. Calls offered within the opening hours.
--
-- pilot_members_v: the hotline's municipalities with their population (the `municipalities`
-- dimension), also those without a call in a range.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_members_v AS
SELECT municipality_code, municipality_name, population, population_date, source
FROM {{ db }}.municipalities FINAL
WHERE hotline_member = 1;

-- Per local date and hotline municipality (the call's primary municipality, as every catchment
-- view counts it): calls and answered calls, with the municipality's name and population. A
-- municipality without calls that date has no row.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_municipality_days_v AS
SELECT local_date, municipality_code, municipality_name, population, calls, answered
FROM
(
    SELECT
        local_date,
        assumeNotNull(municipality_code) AS municipality_code,
        count() AS calls,
        countIf(queue_outcome = 'answered') AS answered
    FROM {{ db }}.calls_local_v
    WHERE within_hours = 1 AND isNotNull(municipality_code)
    GROUP BY local_date, municipality_code
) AS days
ALL INNER JOIN
(
    SELECT municipality_code, municipality_name, population
    FROM {{ db }}.municipalities FINAL
    WHERE hotline_member = 1
) AS member USING municipality_code;

-- Per local date and topic (its current id: a call stored under a former id such as
-- mitid_login counts under nemid_login), with the topic dimension's labels as they were in the
-- pilot (label_da, label_en) and whether it is in the hotline's scope (the dimension's; the
-- call's own flag for a topic the dimension does not know). calls and answered are within the
-- opening hours, closed_calls outside them.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_topic_days_v AS
SELECT
    local_date,
    topic,
    any(label_da) AS label_da,
    any(label_en) AS label_en,
    any(topic_in_scope) AS in_scope,
    countIf(in_hours = 1) AS calls,
    countIf(in_hours = 1 AND q = 'answered') AS answered,
    countIf(in_hours = 1 AND has_talk = 1) AS talked,
    sumIf(talk_s, in_hours = 1) AS talk_seconds_sum,
    countIf(in_hours = 0) AS closed_calls
FROM
(
    SELECT
        local_date,
        if(topic_id = '', stored_topic, topic_id) AS topic,
        label_da,
        label_en,
        if(topic_id = '', call_in_scope, dimension_in_scope) AS topic_in_scope,
        in_hours,
        q,
        has_talk,
        talk_s
    FROM
    (
        SELECT
            local_date,
            topic AS stored_topic,
            in_scope AS call_in_scope,
            within_hours AS in_hours,
            queue_outcome AS q,
            toUInt8(isNotNull(talk_seconds)) AS has_talk,
            ifNull(talk_seconds, 0) AS talk_s
        FROM {{ db }}.calls_local_v
    ) AS calls
    ANY LEFT JOIN
    (
        SELECT topic AS stored_topic, topic_id, label_da, label_en, in_scope AS dimension_in_scope
        FROM {{ db }}.topics FINAL
    ) AS labels USING stored_topic
)
GROUP BY local_date, topic;
