"""Half-hour slots on the Copenhagen wall clock: the key that seasonality is learnt on.

History arrives in UTC, but callers follow the local clock: 18:30 is 17:30 UTC in
winter and 16:30 UTC in summer. Keying by *local* weekday and *local* HH:MM keeps
an evening aligned across the DST switches (2013-03-31 and 2013-10-27, say).

Weeks run Monday to Sunday in local time (ISO weeks), so the hotline's Sunday
evening is the last evening of its week.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "INTERVAL",
    "TZ",
    "WEEKDAYS",
    "SlotKey",
    "check_interval_start",
    "local_instant",
    "slot_key",
    "week_monday",
]

TZ = ZoneInfo("Europe/Copenhagen")
INTERVAL = timedelta(minutes=30)
# date.weekday() order: Monday is 0.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# (local weekday, local start of the half hour)
SlotKey = tuple[int, time]


def check_interval_start(instant: datetime) -> None:
    """Raise ValueError unless ``instant`` is aware and starts a half hour.

    Copenhagen's offset is a whole number of hours, so a half hour in UTC is a
    half hour on the local clock too.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"interval start must be timezone-aware, got {instant.isoformat()}")
    if instant.minute % 30 or instant.second or instant.microsecond:
        raise ValueError(f"interval start must be on :00 or :30, got {instant.isoformat()}")


def slot_key(instant: datetime) -> SlotKey:
    """Local weekday and HH:MM of an aware instant."""
    local = instant.astimezone(TZ)
    return local.weekday(), local.time().replace(tzinfo=None)


def week_monday(instant: datetime) -> date:
    """Local date of the Monday that starts the instant's week."""
    local = instant.astimezone(TZ).date()
    return local - timedelta(days=local.weekday())


def local_instant(day: date, at: time) -> datetime | None:
    """The UTC instant of ``at`` on the local ``day``, or None if the clock skips it.

    At spring-forward 02:00-03:00 does not exist; at fall-back it happens twice and
    the first (summer-time) occurrence is returned.
    """
    wall = datetime.combine(day, at, tzinfo=TZ)
    utc = wall.astimezone(UTC)
    if utc.astimezone(TZ).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None
    return utc
