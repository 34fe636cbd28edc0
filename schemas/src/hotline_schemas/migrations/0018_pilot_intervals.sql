-- The pilot evaluation (`hotline pilot-report`), part 3: service delivered against the agents
-- on shift, per local date and half hour, and the callers behind the calls.
--
-- pilot_intervals_v: per half hour (UTC start; local date, weekday and slot beside it) the
-- calls offered within the opening hours in it (by their offered time) and the agents' time
-- in it (agent_intervals_30m_v, from agent events), side by side like intervals_30m_v, plus
-- what the pilot report needs besides: queue waits of answered, abandoned and left-the-queue
-- calls (the callers' patience) and the calls that reached the queue. A half hour with agents
-- and no call, or calls and no agent events, has zeros on the other side; one with neither
-- has no row.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_intervals_v AS
SELECT
    interval_start,
    toDate(interval_start, 'Europe/Copenhagen') AS local_date,
    toDayOfWeek(toDate(interval_start, 'Europe/Copenhagen')) AS local_weekday,
    toUInt16(
        toHour(interval_start, 'Europe/Copenhagen') * 60 + toMinute(interval_start, 'Europe/Copenhagen')
    ) AS local_slot_minute,
    sum(c_offered) AS offered,
    sum(c_queued) AS queued,
    sum(c_answered) AS answered,
    sum(c_answered_within) AS answered_within,
    sum(c_abandoned) AS abandoned,
    sum(c_short_abandoned) AS short_abandoned,
    sum(c_menu_hangups) AS menu_hangups,
    sum(c_left_queue) AS left_queue,
    sum(c_talked) AS talked,
    sum(c_talk) AS talk_seconds_sum,
    sum(c_wait_answered) AS wait_answered_seconds_sum,
    sum(c_waited) AS waited_seconds_sum,
    sum(a_agents) AS agents_logged_in,
    sum(a_logged_in) AS logged_in_seconds,
    sum(a_paused) AS paused_seconds,
    sum(a_wrap_up) AS wrap_up_seconds,
    sum(a_on_call) AS on_call_seconds,
    sum(a_available) AS available_seconds
FROM
(
    SELECT
        toDateTime(toUInt32(interval_start), 'UTC') AS interval_start,
        toUInt64(count()) AS c_offered,
        toUInt64(countIf(queue_outcome != 'menu_hangup')) AS c_queued,
        toUInt64(countIf(queue_outcome = 'answered')) AS c_answered,
        toUInt64(sum(answered_within)) AS c_answered_within,
        toUInt64(countIf(queue_outcome = 'abandoned')) AS c_abandoned,
        toUInt64(countIf(queue_outcome = 'short_abandon')) AS c_short_abandoned,
        toUInt64(countIf(queue_outcome = 'menu_hangup')) AS c_menu_hangups,
        toUInt64(countIf(queue_outcome = 'left_queue')) AS c_left_queue,
        toUInt64(countIf(isNotNull(talk_seconds))) AS c_talked,
        toFloat64(sum(ifNull(talk_seconds, 0))) AS c_talk,
        toFloat64(sumIf(ifNull(wait_seconds, 0), queue_outcome = 'answered')) AS c_wait_answered,
        toFloat64(sumIf(
            ifNull(wait_seconds, 0), queue_outcome IN ('answered', 'abandoned', 'left_queue')
        )) AS c_waited,
        toUInt64(0) AS a_agents,
        toFloat64(0) AS a_logged_in,
        toFloat64(0) AS a_paused,
        toFloat64(0) AS a_wrap_up,
        toFloat64(0) AS a_on_call,
        toFloat64(0) AS a_available
    FROM {{ db }}.calls_local_v
    WHERE within_hours = 1
    GROUP BY interval_start

    UNION ALL

    SELECT
        toDateTime(toUInt32(interval_start), 'UTC') AS interval_start,
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toUInt64(0),
        toFloat64(0),
        toFloat64(0),
        toFloat64(0),
        toUInt64(agents_logged_in),
        toFloat64(logged_in_seconds),
        toFloat64(paused_seconds),
        toFloat64(wrap_up_seconds),
        toFloat64(on_call_seconds),
        toFloat64(available_seconds)
    FROM {{ db }}.agent_intervals_30m_v
)
GROUP BY interval_start;

-- One row per call within the opening hours from a known caller (the pseudonym caller_key; a
-- withheld number is no caller): count unique callers over any range with
-- `uniqExact(caller_key) ... WHERE local_date BETWEEN ...`, per month or per municipality.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_callers_v AS
SELECT
    local_date,
    toStartOfMonth(local_date) AS local_month,
    municipality_code,
    assumeNotNull(key) AS caller_key
FROM
(
    -- Renamed first: the outer alias would otherwise turn the WHERE's caller_key non-null.
    SELECT local_date, municipality_code, caller_key AS key
    FROM {{ db }}.calls_local_v
    WHERE within_hours = 1 AND isNotNull(caller_key)
);
