-- Agents on shift, from agent events (AgentEvent v1, table agent_events) and the calls they
-- answered: per 15 and 30 minutes and per evening, agents logged in, available, on a call, in
-- wrap-up and paused (by reason), observed occupancy and agent-hours. The definitions are
-- hotline_schemas/agents.py's (tests compare the two); occupancy is kpi.py's.
--
-- agent_events is migration 0008's (the provider adapters, which also route the topic
-- hotline.agent-events to it).
--
-- One row per state segment of an agent: logged_in, paused (with its reason), wrap_up or
-- on_call, from start_ts to end_ts (Unix seconds, Float64). A segment runs from its event to
-- the agent's next event that ends it; with none (is_open = 1) to the agent's next local
-- midnight, or now() if earlier. Per agent the events are an array sorted by (time, type):
-- 18.16 has no window functions. Same-kind rules as agents.py:
--   logged_in: logged_in until logged_in / logged_out
--   paused:    paused until paused / unpaused / logged_in / logged_out
--   wrap_up:   wrap_up_started until wrap_up_started / wrap_up_ended / logged_in / logged_out
--   on_call:   a call's answered_at until its ended_at (calls_local_v: the highest version)
CREATE VIEW IF NOT EXISTS {{ db }}.agent_segments_v AS
SELECT agent_id, kind, reason, start_ts, end_ts, is_open
FROM
(
    SELECT
        agent_id,
        multiIf(type = 'logged_in', 'logged_in', type = 'paused', 'paused', 'wrap_up') AS kind,
        if(type = 'paused', if(reason_raw = '', 'unspecified', reason_raw), '') AS reason,
        start_ts,
        if(next_ts > 0, next_ts, greatest(start_ts, least(midnight_ts, now_ts))) AS end_ts,
        toUInt8(next_ts = 0) AS is_open
    FROM
    (
        SELECT
            agent_id,
            family,
            tupleElement(e, 1) AS start_ts,
            tupleElement(e, 2) AS type,
            tupleElement(e, 3) AS reason_raw,
            next_ts,
            toFloat64(toUInt32(toDateTime(
                toDate(toDateTime(toUInt32(tupleElement(e, 1))), 'Europe/Copenhagen') + 1,
                'Europe/Copenhagen'
            ))) AS midnight_ts,
            toFloat64(toUInt32(now())) AS now_ts
        FROM
        (
            SELECT
                agent_id,
                family,
                arraySort(groupArray((ts, type, reason))) AS events,
                arrayPushBack(arrayPopFront(arrayMap(x -> tupleElement(x, 1), events)), 0.)
                    AS next_times
            FROM
            (
                -- Each family: the events that start its segments and those that end them.
                SELECT agent_id, family, ts, type, reason
                FROM
                (
                    SELECT
                        agent_id,
                        toFloat64(occurred_at) + occurred_at_ms / 1000 AS ts,
                        CAST(type AS String) AS type,
                        ifNull(reason, '') AS reason
                    FROM {{ db }}.agent_events FINAL
                )
                ARRAY JOIN
                    arrayFilter(
                        (f, t) -> has(t, type),
                        ['logged_in', 'paused', 'wrap_up_started'],
                        [
                            ['logged_in', 'logged_out'],
                            ['paused', 'unpaused', 'logged_in', 'logged_out'],
                            ['wrap_up_started', 'wrap_up_ended', 'logged_in', 'logged_out']
                        ]
                    ) AS family
            )
            GROUP BY agent_id, family
        )
        ARRAY JOIN events AS e, next_times AS next_ts
    )
    WHERE type = family

    UNION ALL

    SELECT
        assumeNotNull(agent_id) AS agent_id,
        'on_call' AS kind,
        '' AS reason,
        toFloat64(toUInt32(assumeNotNull(answered_at))) AS start_ts,
        if(
            isNull(ended_at),
            greatest(start_ts, least(
                toFloat64(toUInt32(toDateTime(
                    toDate(assumeNotNull(answered_at), 'Europe/Copenhagen') + 1,
                    'Europe/Copenhagen'
                ))),
                toFloat64(toUInt32(now()))
            )),
            toFloat64(toUInt32(assumeNotNull(ended_at)))
        ) AS end_ts,
        toUInt8(isNull(ended_at)) AS is_open
    FROM {{ db }}.calls_local_v
    WHERE isNotNull(agent_id) AND isNotNull(answered_at)
);

-- The segments cut at 15-minute boundaries: one row per segment and 15 minutes it touches,
-- with the seconds it spends there.
CREATE VIEW IF NOT EXISTS {{ db }}.agent_parts_15m_v AS
SELECT
    agent_id,
    kind,
    reason,
    bucket AS interval_start_ts,
    least(end_ts, toFloat64(bucket + 900)) - greatest(start_ts, toFloat64(bucket)) AS seconds
FROM
(
    SELECT
        agent_id,
        kind,
        reason,
        start_ts,
        end_ts,
        toUInt32(intDiv(toUInt32(start_ts), 900) * 900) AS first_bucket,
        toUInt32(intDiv(toUInt32(ceil(end_ts)) - 1, 900) - intDiv(toUInt32(start_ts), 900) + 1)
            AS buckets
    FROM {{ db }}.agent_segments_v
    WHERE end_ts > start_ts
)
ARRAY JOIN
    arrayMap(
        (i, b) -> b + i * 900,
        range(buckets),
        arrayResize(CAST([] AS Array(UInt32)), buckets, first_bucket)
    ) AS bucket
WHERE seconds > 0;

-- Per 15 minutes (UTC start; local date and slot beside it): agents logged in (distinct),
-- agents_logged_in_mean (logged-in seconds / 900: the average number on shift), the seconds
-- of each state, available = what is left of each agent's logged-in time (never below 0), and
-- observed occupancy = (on call + wrap-up) / (on call + wrap-up + available).
CREATE VIEW IF NOT EXISTS {{ db }}.agent_intervals_15m_v AS
SELECT
    toDateTime(interval_start_ts, 'UTC') AS interval_start,
    toDate(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen') AS local_date,
    toUInt16(
        toHour(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen') * 60
        + toMinute(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen')
    ) AS local_slot_minute,
    countIf(logged_in_s > 0) AS agents_logged_in,
    sum(logged_in_s) / 900 AS agents_logged_in_mean,
    sum(logged_in_s) AS logged_in_seconds,
    sum(paused_s) AS paused_seconds,
    sum(wrap_up_s) AS wrap_up_seconds,
    sum(on_call_s) AS on_call_seconds,
    sum(available_s) AS available_seconds,
    {{ kpi("occupancy") }} AS occupancy
FROM
(
    SELECT
        interval_start_ts,
        agent_id,
        sumIf(seconds, kind = 'logged_in') AS logged_in_s,
        sumIf(seconds, kind = 'paused') AS paused_s,
        sumIf(seconds, kind = 'wrap_up') AS wrap_up_s,
        sumIf(seconds, kind = 'on_call') AS on_call_s,
        greatest(0., logged_in_s - paused_s - wrap_up_s - on_call_s) AS available_s
    FROM {{ db }}.agent_parts_15m_v
    GROUP BY interval_start_ts, agent_id
)
GROUP BY interval_start_ts;

-- The same per 30 minutes.
CREATE VIEW IF NOT EXISTS {{ db }}.agent_intervals_30m_v AS
SELECT
    toDateTime(interval_start_ts, 'UTC') AS interval_start,
    toDate(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen') AS local_date,
    toUInt16(
        toHour(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen') * 60
        + toMinute(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen')
    ) AS local_slot_minute,
    countIf(logged_in_s > 0) AS agents_logged_in,
    sum(logged_in_s) / 1800 AS agents_logged_in_mean,
    sum(logged_in_s) AS logged_in_seconds,
    sum(paused_s) AS paused_seconds,
    sum(wrap_up_s) AS wrap_up_seconds,
    sum(on_call_s) AS on_call_seconds,
    sum(available_s) AS available_seconds,
    {{ kpi("occupancy") }} AS occupancy
FROM
(
    SELECT
        toUInt32(intDiv(interval_start_ts, 1800) * 1800) AS interval_start_ts,
        agent_id,
        sumIf(seconds, kind = 'logged_in') AS logged_in_s,
        sumIf(seconds, kind = 'paused') AS paused_s,
        sumIf(seconds, kind = 'wrap_up') AS wrap_up_s,
        sumIf(seconds, kind = 'on_call') AS on_call_s,
        greatest(0., logged_in_s - paused_s - wrap_up_s - on_call_s) AS available_s
    FROM {{ db }}.agent_parts_15m_v
    GROUP BY interval_start_ts, agent_id
)
GROUP BY interval_start_ts;

-- Paused time per 30 minutes and reason (break, meeting, unspecified, ...).
CREATE VIEW IF NOT EXISTS {{ db }}.agent_pauses_30m_v AS
SELECT
    toDateTime(toUInt32(intDiv(interval_start_ts, 1800) * 1800), 'UTC') AS interval_start,
    reason,
    uniqExact(agent_id) AS agents_paused,
    sum(seconds) AS paused_seconds
FROM {{ db }}.agent_parts_15m_v
WHERE kind = 'paused'
GROUP BY interval_start, reason;

-- Per local date (an evening): agents who logged in, agent-hours in each state, occupancy, and
-- the paused hours by reason (pause_reasons[i] took pause_hours[i]).
CREATE VIEW IF NOT EXISTS {{ db }}.agent_evenings_v AS
SELECT
    local_date,
    agents_logged_in,
    logged_in_seconds / 3600 AS agent_hours,
    paused_seconds / 3600 AS paused_hours,
    wrap_up_seconds / 3600 AS wrap_up_hours,
    on_call_seconds / 3600 AS on_call_hours,
    available_seconds / 3600 AS available_hours,
    {{ kpi("occupancy") }} AS occupancy,
    pause_reasons,
    pause_hours
FROM
(
    SELECT
        local_date,
        countIf(logged_in_s > 0) AS agents_logged_in,
        sum(logged_in_s) AS logged_in_seconds,
        sum(paused_s) AS paused_seconds,
        sum(wrap_up_s) AS wrap_up_seconds,
        sum(on_call_s) AS on_call_seconds,
        sum(available_s) AS available_seconds
    FROM
    (
        SELECT
            toDate(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen') AS local_date,
            agent_id,
            sumIf(seconds, kind = 'logged_in') AS logged_in_s,
            sumIf(seconds, kind = 'paused') AS paused_s,
            sumIf(seconds, kind = 'wrap_up') AS wrap_up_s,
            sumIf(seconds, kind = 'on_call') AS on_call_s,
            greatest(0., logged_in_s - paused_s - wrap_up_s - on_call_s) AS available_s
        FROM {{ db }}.agent_parts_15m_v
        GROUP BY local_date, agent_id
    )
    GROUP BY local_date
) AS states
ANY LEFT JOIN
(
    SELECT local_date, groupArray(reason) AS pause_reasons, groupArray(hours) AS pause_hours
    FROM
    (
        SELECT
            toDate(toDateTime(interval_start_ts, 'UTC'), 'Europe/Copenhagen') AS local_date,
            reason,
            sum(seconds) / 3600 AS hours
        FROM {{ db }}.agent_parts_15m_v
        WHERE kind = 'paused'
        GROUP BY local_date, reason
        ORDER BY local_date, reason
    )
    GROUP BY local_date
) AS pauses USING local_date;

-- Calls and agents per 30 minutes, side by side (calls offered within opening hours, by the
-- interval of their offered time; agents by their time in it). A half hour with agents and
-- no call, or calls and no agent events, has a row with zeros on the other side. Ratios:
-- kpi.py (service level = answered_within / (answered + abandoned + left_queue)).
CREATE VIEW IF NOT EXISTS {{ db }}.intervals_30m_v AS
SELECT
    interval_start,
    toDate(interval_start, 'Europe/Copenhagen') AS local_date,
    toDayOfWeek(toDate(interval_start, 'Europe/Copenhagen')) AS local_weekday,
    toUInt16(
        toHour(interval_start, 'Europe/Copenhagen') * 60 + toMinute(interval_start, 'Europe/Copenhagen')
    ) AS local_slot_minute,
    sum(c_offered) AS offered,
    sum(c_answered) AS answered,
    sum(c_answered_within) AS answered_within,
    sum(c_abandoned) AS abandoned,
    sum(c_short_abandoned) AS short_abandoned,
    sum(c_menu_hangups) AS menu_hangups,
    sum(c_left_queue) AS left_queue,
    sum(c_talked) AS talked,
    sum(c_wait_answered) AS wait_answered_sum_s,
    sum(c_talk) AS talk_sum_s,
    {{ kpi("service_level") }} AS service_level,
    {{ kpi("abandonment_rate") }} AS abandonment_rate,
    {{ kpi("average_speed_of_answer") }} AS average_speed_of_answer,
    {{ kpi("average_handle_time") }} AS average_handle_time,
    sum(a_agents) AS agents_logged_in,
    sum(a_logged_in) / 1800 AS agents_logged_in_mean,
    sum(a_logged_in) AS logged_in_seconds,
    sum(a_paused) AS paused_seconds,
    sum(a_wrap_up) AS wrap_up_seconds,
    sum(a_on_call) AS on_call_seconds,
    sum(a_available) AS available_seconds,
    {{ kpi("occupancy") }} AS occupancy
FROM
(
    SELECT
        toDateTime(toUInt32(interval_start), 'UTC') AS interval_start,
        toUInt64(count()) AS c_offered,
        toUInt64(countIf(queue_outcome = 'answered')) AS c_answered,
        toUInt64(sum(answered_within)) AS c_answered_within,
        toUInt64(countIf(queue_outcome = 'abandoned')) AS c_abandoned,
        toUInt64(countIf(queue_outcome = 'short_abandon')) AS c_short_abandoned,
        toUInt64(countIf(queue_outcome = 'menu_hangup')) AS c_menu_hangups,
        toUInt64(countIf(queue_outcome = 'left_queue')) AS c_left_queue,
        toUInt64(countIf(isNotNull(talk_seconds))) AS c_talked,
        toFloat64(sumIf(ifNull(wait_seconds, 0), queue_outcome = 'answered')) AS c_wait_answered,
        toFloat64(sum(ifNull(talk_seconds, 0))) AS c_talk,
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
