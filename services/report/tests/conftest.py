"""A fixed, hand-built history of call records with the answers worked out by hand.

Winter time (UTC+1), so local 18:30 is 17:30 UTC. Open evenings (local dates with a call
within hours): Sun 3 Mar, Mon 4 Mar, Sun 10 Mar, Mon 11 Mar 2013 -> 4.

| local date    | half hour | calls within hours                                              |
| ------------- | --------- | --------------------------------------------------------------- |
| Sun 2013-03-03| 18:30     | 4 Aarhus, answered (wait 10 s, talk 300 s)                      |
| Sun 2013-03-03| 19:00     | 2 Odder: 1 answered (wait 30, talk 200), 1 abandoned (wait 60)  |
| Mon 2013-03-04| 18:30     | 1 Randers (outside the catchment), answered (10, 300)           |
| Sun 2013-03-10| 18:30     | 1 Aarhus + 1 without postcode, answered (10, 300)               |
| Mon 2013-03-11| 18:30     | 3 Silkeborg, answered (10, 300)                                 |

Closed: Fri 8 Mar 19:10 local, 2 Aarhus calls; Sun 10 Mar 22:15 local, 1 call with postcode
"9999" (unknown). The Silkeborg call "mon2-0" is stored twice: version 1 (no_agent) and
version 2 (answered); only version 2 counts.

Callers: the four Aarhus calls of Sun 3 Mar and Aarhus's call of Sun 10 Mar (6 days 23 h 56
min later) are one caller "k1": 4 repeat calls within 7 days, 4 called again. Silkeborg's
mon2-0 and mon2-1 are "k2" (1 repeat), mon2-2 is "k3". Every other number is withheld.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_schemas import CallRecord
from hotline_sink.record_rows import COLUMNS, to_row

AARHUS = (751, "Aarhus", "8000", True)
ODDER = (727, "Odder", "8300", True)
SILKEBORG = (740, "Silkeborg", "8600", True)
RANDERS = (730, "Randers", "8900", False)
NO_POSTCODE = (None, None, None, False)
UNKNOWN = (None, None, "9999", False)


@dataclass(frozen=True)
class Call:
    call_id: str
    local: str  # "YYYY-MM-DD HH:MM:SS", winter time
    who: tuple[int | None, str | None, str | None, bool]
    outcome: str = "answered"
    wait: float = 10.0
    talk: float | None = 300.0
    within_hours: bool = True
    topic: str = "nemid_login"
    version: int = 2
    caller: str | None = None


def _calls() -> list[Call]:
    calls = [Call(f"sun1-{i}", f"2013-03-03 18:35:0{i}", AARHUS, caller="k1") for i in range(4)]
    calls += [
        Call("sun1-odder-a", "2013-03-03 19:05:00", ODDER, wait=30.0, talk=200.0),
        Call("sun1-odder-b", "2013-03-03 19:10:00", ODDER, "abandoned", wait=60.0, talk=None),
        Call("mon1-0", "2013-03-04 18:40:00", RANDERS, topic="digital_post"),
        Call("sun2-0", "2013-03-10 18:31:00", AARHUS, caller="k1"),
        Call("sun2-1", "2013-03-10 18:50:00", NO_POSTCODE, topic="booking"),
        Call("mon2-0", "2013-03-11 18:45:00", SILKEBORG, outcome="no_agent", talk=None, version=1),
        Call("mon2-0", "2013-03-11 18:45:00", SILKEBORG, caller="k2"),
        Call("mon2-1", "2013-03-11 18:46:00", SILKEBORG, caller="k2"),
        Call("mon2-2", "2013-03-11 18:59:59", SILKEBORG, caller="k3"),
    ]
    closed: dict[str, Any] = {"outcome": "closed", "talk": None, "within_hours": False}
    calls += [
        Call("fri-0", "2013-03-08 19:10:00", AARHUS, topic="digital_post", **closed),
        Call("fri-1", "2013-03-08 19:10:30", AARHUS, topic="digital_post", **closed),
        Call("sun2-late", "2013-03-10 22:15:00", UNKNOWN, topic="unknown", **closed),
    ]
    return calls


def _record(call: Call) -> CallRecord:
    offered = datetime.fromisoformat(call.local).replace(tzinfo=UTC) - timedelta(hours=1)
    code, name, postcode, in_catchment = call.who
    queued = offered + timedelta(seconds=5)
    answered = queued + timedelta(seconds=call.wait) if call.outcome == "answered" else None
    abandoned = queued + timedelta(seconds=call.wait) if call.outcome == "abandoned" else None
    ended = (answered or abandoned or queued) + timedelta(seconds=call.talk or 0)
    return CallRecord(
        call_id=call.call_id,
        version=call.version,
        updated_at=datetime(2013, 3, 12, tzinfo=UTC),
        started_at=offered,
        offered_at=offered,
        queued_at=queued,
        answered_at=answered,
        abandoned_at=abandoned,
        ended_at=ended,
        wait_seconds=call.wait,
        talk_seconds=call.talk,
        outcome=call.outcome,
        closed_reason="ended",
        closed_by_timeout=False,
        within_hours=call.within_hours,
        topic=call.topic,
        topic_source="wrap_up_code",
        in_scope=True,
        wrap_up_code=None,
        queue="hotline",
        agent_id="agent-01" if answered else None,
        line="+4570200000",
        municipality_code=code,
        municipality_name=name,
        in_catchment=in_catchment,
        caller_postcode=postcode,
        caller_key=call.caller,
        event_count=4,
    )


def history_rows() -> list[tuple[Any, ...]]:
    return [to_row(_record(c)) for c in _calls()]


InsertHistory = Callable[[Any, str], None]


@pytest.fixture
def insert_history() -> InsertHistory:
    """insert_history(executor, database): the fixed history into call_records."""

    def insert(executor: Any, database: str) -> None:
        executor.execute(
            f"INSERT INTO {database}.call_records ({', '.join(COLUMNS)}) VALUES", history_rows()
        )

    return insert
