-- The pilot evaluation (`hotline pilot-report`, issue 13), part 1: per local date, everything
-- the summary, the service figures and the data-quality section add up over a date range.
-- A reader picks the range with `WHERE local_date BETWEEN ...` and sums the columns: every
-- column is a count or a sum, so a month or the whole pilot is the sum of its days. Ratios
-- follow kpi.py (service level = answered_within / (answered + abandoned + left_queue)).
--
-- Built on calls_local_v (one row per call at its highest version, outcomes under today's
-- rules). Within opening hours only, unless a column says otherwise:
--   calls            every call offered that date, within or outside the opening hours
--   offered          offered within the opening hours: the demand the hotline served
--   closed_calls     offered outside the opening hours (the closed message played)
--   no_agent         closed by the pipeline's time-out: no answer, abandon or end arrived
--   waited_seconds_sum  queue waits of answered, abandoned and left-the-queue calls (with the
--                    abandons: the callers' patience, see docs/report.md)
--   out_of_scope*    calls about a topic outside the hotline's scope (case handling, status)
--   withheld         calls without a caller number: a call, never a caller
--   no_postcode, unknown_postcode, outside_catchment, catchment: where every call came from
--                    (calls_local_v's origin), within and outside the opening hours
--   imported, live   how every call was stored (data_origin: history imported later, or live)
-- A date with no call has no row: readers treat it as unknown, not as zero.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_days_v AS
SELECT
    local_date,
    toStartOfMonth(local_date) AS local_month,
    toDayOfWeek(local_date) AS local_weekday,
    count() AS calls,
    countIf(in_hours = 1) AS offered,
    countIf(in_hours = 1 AND q = 'answered') AS answered,
    countIf(in_hours = 1 AND within_t = 1) AS answered_within,
    countIf(in_hours = 1 AND q = 'abandoned') AS abandoned,
    countIf(in_hours = 1 AND q = 'short_abandon') AS short_abandoned,
    countIf(in_hours = 1 AND q = 'menu_hangup') AS menu_hangups,
    countIf(in_hours = 1 AND q = 'left_queue') AS left_queue,
    countIf(in_hours = 1 AND q = 'no_agent') AS no_agent,
    countIf(in_hours = 1 AND has_talk = 1) AS talked,
    sumIf(talk_s, in_hours = 1) AS talk_seconds_sum,
    sumIf(wait_s, in_hours = 1 AND q = 'answered') AS wait_answered_seconds_sum,
    sumIf(wait_s, in_hours = 1 AND q IN ('answered', 'abandoned', 'left_queue'))
        AS waited_seconds_sum,
    countIf(in_hours = 1 AND scope = 0) AS out_of_scope,
    countIf(in_hours = 1 AND scope = 0 AND q = 'answered') AS out_of_scope_answered,
    sumIf(talk_s, in_hours = 1 AND scope = 0) AS out_of_scope_talk_seconds_sum,
    countIf(in_hours = 0) AS closed_calls,
    countIf(in_hours = 1 AND withheld_number = 1) AS withheld,
    countIf(where_from = 'no_postcode') AS no_postcode,
    countIf(where_from = 'unknown_postcode') AS unknown_postcode,
    countIf(where_from = 'outside_catchment') AS outside_catchment,
    countIf(where_from = 'catchment') AS catchment,
    countIf(how_stored = 'import') AS imported,
    countIf(how_stored != 'import') AS live,
    any(service_level_seconds) AS service_level_seconds,
    any(short_abandon_seconds) AS short_abandon_seconds
FROM
(
    -- Renamed on the way in, so no aggregate's alias above reuses a column name it reads.
    SELECT
        local_date,
        within_hours AS in_hours,
        queue_outcome AS q,
        answered_within AS within_t,
        in_scope AS scope,
        ifNull(wait_seconds, 0) AS wait_s,
        ifNull(talk_seconds, 0) AS talk_s,
        toUInt8(isNotNull(talk_seconds)) AS has_talk,
        toUInt8(isNull(caller_key)) AS withheld_number,
        origin AS where_from,
        data_origin AS how_stored,
        service_level_seconds,
        short_abandon_seconds
    FROM {{ db }}.calls_local_v
)
GROUP BY local_date;

-- Per local date, local hour and whether the calls came within the opening hours: when people
-- call, and when they call while the line is closed.
CREATE VIEW IF NOT EXISTS {{ db }}.pilot_hours_v AS
SELECT
    local_date,
    toDayOfWeek(local_date) AS local_weekday,
    local_hour,
    within_hours,
    count() AS calls
FROM {{ db }}.calls_local_v
GROUP BY local_date, local_hour, within_hours;
