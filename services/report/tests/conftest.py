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

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hotline_report.pilot.data import (
    DayRow,
    HourRow,
    IntervalRow,
    Member,
    MunicipalityCalls,
    PilotData,
    TopicRow,
)
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


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (no extra packages): open a
    page, collect its console errors, uncaught exceptions and failed loads, screenshot an
    element, print the page to PDF. Debian's chromium (`make install` installs it)."""

    def __init__(self, width: int = 1200, height: int = 900) -> None:
        exe = shutil.which("chromium")
        assert exe, "Debian's chromium is missing: apt-get install -y chromium (make install)"
        self.profile = tempfile.TemporaryDirectory()
        ours_read, chrome_write = os.pipe()
        chrome_read, ours_write = os.pipe()

        def pipes() -> None:  # in the child: the protocol's fds 3 (commands) and 4 (replies)
            # Copied above 10 first, so neither dup2 overwrites the other's source.
            high_read = fcntl.fcntl(chrome_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(chrome_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--hide-scrollbars", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={self.profile.name}",
             f"--window-size={width},{height}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=pipes,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(chrome_read)
        os.close(chrome_write)
        self.send_fd, self.read_fd = ours_write, ours_read
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.read_fd], [], [], 1.0)
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the protocol pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def call(self, method: str, params: dict[str, Any] | None = None, timeout_s: float = 60) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self.send_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self.next_id:
                assert "error" not in reply, reply["error"]
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, url: str, timeout_s: float = 60) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout_s
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._receive(deadline))

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and failed loads so far."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                found.append(f"load failed: {params.get('errorText')}")
        return found

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def screenshot(self, element_id: str | None = None) -> bytes:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if element_id is not None:
            box = self.evaluate(
                f"(() => {{ const r = document.getElementById({json.dumps(element_id)})"
                ".getBoundingClientRect(); return {x: r.left + window.scrollX, "
                "y: r.top + window.scrollY, width: r.width, height: r.height}; })()"
            )
            params["clip"] = {**box, "scale": 1}
        data = self.call("Page.captureScreenshot", params)["data"]
        return base64.b64decode(data)

    def pdf(self) -> bytes:
        data = self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        return base64.b64decode(data["data"])

    def close(self) -> None:
        try:
            self.session = ""
            self.call("Browser.close", timeout_s=10)
        except (OSError, EOFError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.send_fd)
        os.close(self.read_fd)
        self.profile.cleanup()


@pytest.fixture
def chromium() -> Iterator[Chromium]:
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.close()


PILOT_SUN, PILOT_MON = date(2013, 3, 3), date(2013, 3, 4)
PILOT_FRI, PILOT_SUN2 = date(2013, 3, 8), date(2013, 3, 10)


def _day(day: date, **counts: Any) -> DayRow:
    base: dict[str, Any] = {f: 0 for f in DayRow.__dataclass_fields__ if f != "local_date"}
    for name in ("talk_seconds_sum", "wait_answered_seconds_sum", "waited_seconds_sum",
                 "out_of_scope_talk_seconds_sum"):  # fmt: skip
        base[name] = 0.0
    return DayRow(local_date=day, **{**base, **counts})


def _cell(day: date, slot: int, **counts: Any) -> IntervalRow:
    base: dict[str, Any] = {
        f: 0 for f in IntervalRow.__dataclass_fields__ if f not in ("local_date", "slot_minute")
    }
    return IntervalRow(local_date=day, slot_minute=slot, **{**base, **counts})


@pytest.fixture
def small_pilot() -> PilotData:
    """Two open evenings in winter time: Sunday 3 and Monday 4 March 2013 (18:30-22:00, seven
    half hours each; one agent on Sunday, none on Monday), a Friday with calls while closed,
    and a Sunday 10 March whose only calls came outside the hours (no open evening)."""
    days = [
        # Sunday: 10 calls, 6 answered (4 within 20 s), 2 abandoned, 1 short, 1 menu hang-up.
        _day(PILOT_SUN, calls=11, offered=10, answered=6, answered_within=4, abandoned=2,
             short_abandoned=1, menu_hangups=1, talked=6, talk_seconds_sum=1800.0,
             wait_answered_seconds_sum=120.0, waited_seconds_sum=300.0, closed_calls=1,
             catchment=9, no_postcode=2, live=11, withheld=1),
        # Monday: 4 calls, all answered within 20 s, one out of scope.
        _day(PILOT_MON, calls=4, offered=4, answered=4, answered_within=4, talked=4,
             talk_seconds_sum=1000.0, wait_answered_seconds_sum=20.0, waited_seconds_sum=20.0,
             out_of_scope=1, out_of_scope_answered=1, out_of_scope_talk_seconds_sum=400.0,
             catchment=3, outside_catchment=1, imported=4),
        _day(PILOT_FRI, calls=3, closed_calls=3, catchment=3, live=3),
        _day(PILOT_SUN2, calls=1, closed_calls=1, unknown_postcode=1, live=1),
    ]  # fmt: skip
    intervals = [
        # Sunday: one agent 18:00-22:00 (logged in the whole 18:30-22:00), paused 600 s at 19:30.
        _cell(PILOT_SUN, 18 * 60, logged_in_seconds=900.0, agents_logged_in=1),
        _cell(PILOT_SUN, 1110, offered=4, queued=4, answered=3, answered_within=3, talked=3,
              talk_seconds_sum=900.0, wait_answered_seconds_sum=30.0, waited_seconds_sum=30.0,
              logged_in_seconds=1800.0, wrap_up_seconds=90.0, on_call_seconds=900.0,
              available_seconds=810.0, agents_logged_in=1),
        _cell(PILOT_SUN, 1140, offered=6, queued=5, answered=3, answered_within=1, abandoned=2,
              short_abandoned=1, menu_hangups=1, talked=3, talk_seconds_sum=900.0,
              wait_answered_seconds_sum=90.0, waited_seconds_sum=270.0,
              logged_in_seconds=1800.0, paused_seconds=600.0, wrap_up_seconds=90.0,
              on_call_seconds=900.0, available_seconds=210.0, agents_logged_in=1),
        *(_cell(PILOT_SUN, s, logged_in_seconds=1800.0, agents_logged_in=1)
          for s in (1170, 1200, 1230, 1260, 1290)),
        # Monday: no agent events; calls at 18:30 and 21:30.
        _cell(PILOT_MON, 1110, offered=3, queued=3, answered=3, answered_within=3, talked=3,
              talk_seconds_sum=700.0, wait_answered_seconds_sum=15.0, waited_seconds_sum=15.0),
        _cell(PILOT_MON, 1290, offered=1, queued=1, answered=1, answered_within=1, talked=1,
              talk_seconds_sum=300.0, wait_answered_seconds_sum=5.0, waited_seconds_sum=5.0),
    ]  # fmt: skip
    members = [
        Member(751, "Aarhus", 319094, date(2013, 1, 1), "FOLK1"),
        Member(727, "Odder", 21800, date(2013, 1, 1), "FOLK1"),
    ]
    topics = [
        TopicRow("nemid_login", "Log-in med NemID", "NemID log-in", True, 10, 7, 7, 2100.0, 2),
        TopicRow("case_status", "Status på en sag", "Status of a case", False, 4, 3, 3, 700.0, 2),
    ]
    return PilotData(
        first=date(2013, 3, 1),
        last=date(2013, 3, 10),
        days=days,
        hours=[
            HourRow(6, 18, True, 4, 1),
            HourRow(6, 19, True, 6, 1),
            HourRow(0, 18, True, 3, 1),
            HourRow(0, 21, True, 1, 1),
            HourRow(4, 19, False, 3, 1),
            HourRow(6, 22, False, 2, 2),
        ],
        members=members,
        municipalities=[MunicipalityCalls(751, 10, 8), MunicipalityCalls(727, 2, 1)],
        topics=topics,
        intervals=intervals,
        callers=9,
        callers_by_month={date(2013, 3, 1): 9},
        callers_by_municipality={751: 8, 727: 1},
    )
