"""The HTTP client side of the simulator, against a real local HTTP server that records bodies.

This tests how the simulator talks HTTP (batches, retries, limits), not the pipeline: ingest and
Kafka are tested elsewhere, so a small recording server in the test process is the right peer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hotline_schemas import AgentEvent, CallEvent
from hotline_simulator import __main__ as simulator_main
from hotline_simulator.live import retime
from hotline_simulator.model import SimulationConfig, evening_rng, simulate, simulate_evening
from hotline_simulator.post import PostOptions, make_client, post_events
from hotline_simulator.signing import Signer, WebhookAuth, new_secret

DAY = date(2013, 4, 7)  # an open Sunday: calls and agents on shift


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # None: answer with counts of the lines received


@dataclass
class Recorder:
    url: str = ""
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(202))

    def batches(self) -> list[list[CallEvent]]:
        """The call event batches (posted to /v1/events)."""
        return [
            [CallEvent.model_validate_json(line) for line in body.splitlines()]
            for path, _, body in self.requests
            if path == "/v1/events"
        ]

    def agent_batches(self) -> list[list[AgentEvent]]:
        """The agent event batches (posted to /v1/agent-events)."""
        return [
            [AgentEvent.model_validate_json(line) for line in body.splitlines()]
            for path, _, body in self.requests
            if path == "/v1/agent-events"
        ]


@pytest.fixture
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                recorder.requests.append((self.path, self.headers["Content-Type"], body))
                recorder.headers.append({k.lower(): v for k, v in self.headers.items()})
                reply = recorder.script.pop(0) if recorder.script else recorder.default
            payload = reply.body
            if payload is None:
                payload = json.dumps({"accepted": len(body.splitlines()), "rejected": []}).encode()
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield recorder
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def events(n: int, step_s: float = 1.0) -> list[CallEvent]:
    all_events = simulate_evening(DAY, SimulationConfig(), evening_rng(11, DAY))
    start = all_events[0].occurred_at
    return [
        e.model_copy(update={"occurred_at": start + timedelta(seconds=i * step_s)})
        for i, e in enumerate(all_events[:n])
    ]


class Sleeps(list[float]):
    """Records requested sleeps instead of sleeping (the retry logic's waits, not HTTP)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_posts_ndjson_batches_in_event_time_order(server: Recorder) -> None:
    sent = events(25)
    with make_client(5.0) as client:
        report = post_events(sent, client, PostOptions(url=server.url, batch_size=10))
    assert [len(b) for b in server.batches()] == [10, 10, 5]
    assert [e for batch in server.batches() for e in batch] == sent
    assert {(path, ctype) for path, ctype, _ in server.requests} == {
        ("/v1/events", "application/x-ndjson")
    }
    assert all(body.endswith(b"\n") for _, _, body in server.requests)
    assert (report.posted, report.accepted, report.rejected, report.unsent) == (25, 25, 0, 0)
    assert not report.failed


def test_503_is_retried_after_the_time_ingest_asks_for(server: Recorder) -> None:
    server.script = [Reply(503, {"Retry-After": "2"}), Reply(503, {"Retry-After": "0"})]
    sleeps = Sleeps()
    with make_client(5.0) as client:
        report = post_events(events(5), client, PostOptions(url=server.url), sleep=sleeps)
    assert sleeps == [2.0, 0.0]
    bodies = [body for _, _, body in server.requests]
    assert len(bodies) == 3
    assert len(set(bodies)) == 1  # the same batch, resent
    assert (report.retries, report.accepted, report.failed) == (2, 5, False)


def test_retry_after_may_be_an_http_date(server: Recorder) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    server.script = [Reply(503, {"Retry-After": when})]
    sleeps = Sleeps()
    with make_client(5.0) as client:
        report = post_events(events(2), client, PostOptions(url=server.url), sleep=sleeps)
    assert len(sleeps) == 1
    assert 17.0 < sleeps[0] <= 20.0
    assert report.accepted == 2


def test_retries_are_bounded_and_waits_capped(server: Recorder) -> None:
    server.default = Reply(503, {"Retry-After": "3600"}, b"overloaded")
    sleeps = Sleeps()
    options = PostOptions(url=server.url, max_retries=3, max_retry_wait_s=0.25)
    with make_client(5.0) as client:
        report = post_events(events(30), client, options, sleep=sleeps)
    assert len(server.requests) == 4
    assert sleeps == [0.25, 0.25, 0.25]
    assert report.failed
    assert report.stopped is not None
    assert "gave up after 3 retries: HTTP 503" in report.stopped
    assert (report.posted, report.unsent) == (0, 30)


def test_without_retry_after_it_backs_off_exponentially(server: Recorder) -> None:
    server.script = [Reply(503), Reply(503), Reply(503)]
    sleeps = Sleeps()
    with make_client(5.0) as client:
        report = post_events(events(3), client, PostOptions(url=server.url), sleep=sleeps)
    assert sleeps == [0.5, 1.0, 2.0]
    assert report.accepted == 3


def test_rejected_content_is_counted_and_posting_goes_on(server: Recorder) -> None:
    # Ingest's 422: the valid items were accepted, the invalid ones are listed.
    bad = {"index": 0, "line": 1, "reason": "invalid", "errors": []}
    server.script = [
        Reply(422, body=json.dumps({"accepted": 7, "rejected": [bad] * 3}).encode()),
        Reply(202, body=b'{"accepted": 10, "rejected": 0}'),
        Reply(400, body=b"not json"),
    ]
    with make_client(5.0) as client:
        report = post_events(events(25), client, PostOptions(url=server.url, batch_size=10))
    assert len(server.requests) == 3
    assert (report.posted, report.accepted, report.rejected) == (25, 17, 8)
    assert not report.failed


@pytest.mark.parametrize(
    "reply", [Reply(404), Reply(401), Reply(307, {"Location": "http://example.com/"})]
)
def test_a_wrong_target_stops_at_once_and_redirects_are_not_followed(
    server: Recorder, reply: Reply
) -> None:
    server.default = reply
    with make_client(5.0) as client:
        report = post_events(events(30), client, PostOptions(url=server.url, batch_size=10))
    assert len(server.requests) == 1
    assert report.failed
    assert report.stopped is not None
    assert f"HTTP {reply.status}" in report.stopped
    assert report.unsent == 30


def test_an_unreachable_ingest_is_retried_a_bounded_number_of_times(server: Recorder) -> None:
    closed = server.url.rsplit(":", 1)[0] + ":9"  # discard port: nothing listens there
    sleeps = Sleeps()
    with make_client(2.0) as client:
        report = post_events(
            events(3), client, PostOptions(url=closed, max_retries=2), sleep=sleeps
        )
    assert sleeps == [0.5, 1.0]
    assert report.failed
    assert report.stopped is not None
    assert "ConnectError" in report.stopped


def test_speed_paces_events_by_their_time(server: Recorder) -> None:
    sent = events(3, step_s=2.0)  # 0, 2, 4 simulated seconds
    started = time.monotonic()
    with make_client(5.0) as client:
        report = post_events(sent, client, PostOptions(url=server.url, speed=20.0))
    assert time.monotonic() - started >= 0.2  # the last event is due 4 / 20 s after the first
    assert [len(b) for b in server.batches()] == [1, 1, 1]
    assert report.accepted == 3


def test_duration_stops_posting_by_itself(server: Recorder) -> None:
    sent = events(3, step_s=3600.0)  # one event now, the next an hour of real time later
    started = time.monotonic()
    with make_client(5.0) as client:
        report = post_events(sent, client, PostOptions(url=server.url, speed=1.0, duration_s=0.3))
    assert time.monotonic() - started < 5.0
    assert (report.posted, report.unsent, report.failed) == (1, 2, False)
    assert report.stopped is not None
    assert "duration" in report.stopped


def test_live_retime_keeps_order_and_compresses_by_speed() -> None:
    sent = events(4, step_s=60.0)
    anchor = datetime(2030, 1, 6, 19, 0, tzinfo=sent[0].occurred_at.tzinfo)
    moved = retime(sent, anchor, speed=10.0)
    assert [e.occurred_at - anchor for e in moved] == [timedelta(seconds=6 * i) for i in range(4)]
    assert [e.event_id for e in moved] == [e.event_id for e in sent]
    with pytest.raises(ValueError, match="positive speed"):
        retime(sent, anchor, speed=0)


def test_the_command_posts_an_evening_and_reports_counts(
    server: Recorder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_INGEST_URL", server.url)
    status = simulator_main.main(["--seed", "4", "--date", "2013-04-07", "--agents", "6"])
    posted = [e for batch in server.batches() for e in batch]
    posted_agents = [a for batch in server.agent_batches() for a in batch]
    expected = simulate(DAY, SimulationConfig(agents=6), evening_rng(4, DAY))
    assert status == 0
    assert posted == expected.calls
    # The agents' shifts go to their own endpoint: six agents log in and out.
    assert posted_agents == expected.agents
    assert {a.agent_id for a in posted_agents if a.type == "logged_in"} == {
        a.agent_id for a in expected.agents
    }
    assert len({a.agent_id for a in posted_agents}) == 6
    total = len(expected.calls) + len(expected.agents)
    out = capsys.readouterr().out
    assert f"events={total} posted={total} accepted={total}" in out


def test_paced_posting_interleaves_calls_and_agents_by_time_one_kind_per_batch(
    server: Recorder,
) -> None:
    sim = simulate(DAY, SimulationConfig(), evening_rng(11, DAY))
    mixed: list[CallEvent | AgentEvent] = sorted(
        [*sim.calls[:40], *sim.agents[:10]], key=lambda e: e.occurred_at
    )
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    with make_client(5.0) as client:
        report = post_events(
            mixed, client, PostOptions(url=server.url, speed=1e6), lambda: clock[0], sleep
        )
    assert report.posted == len(mixed)
    assert not report.failed
    sent: list[CallEvent | AgentEvent] = []
    for path, _, body in server.requests:
        kind = AgentEvent if path == "/v1/agent-events" else CallEvent
        assert path in {"/v1/events", "/v1/agent-events"}
        sent += [kind.model_validate_json(line) for line in body.splitlines()]
    assert sent == mixed  # the time order across both endpoints
    assert {path for path, _, _ in server.requests} == {"/v1/events", "/v1/agent-events"}


def test_dry_run_writes_ndjson_and_posts_nothing(
    server: Recorder, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    status = simulator_main.main(
        ["--dry-run", "--seed", "4", "--date", "2013-04-07", "--url", server.url]
    )
    lines = capsysbinary.readouterr().out.splitlines()
    assert status == 0
    assert lines
    assert [CallEvent.model_validate_json(line) for line in lines] == simulate_evening(
        DAY, SimulationConfig(), evening_rng(4, DAY)
    )
    assert server.requests == []


def _verified(server: Recorder, secret: str) -> list[str]:
    """The webhook-id of every recorded request, each checked as ingest checks it."""
    webhook = Webhook(secret)
    for (_, _, body), headers in zip(server.requests, server.headers, strict=True):
        webhook.verify(body, headers, json_parse=False)
    return [headers["webhook-id"] for headers in server.headers]


def test_signed_batches_verify_and_a_retry_keeps_its_message_id(server: Recorder) -> None:
    secret = new_secret()
    server.script = [Reply(503, {"Retry-After": "0"})]
    with make_client(5.0, WebhookAuth(Signer(secret))) as client:
        report = post_events(events(15), client, PostOptions(url=server.url, batch_size=10))
    assert report.accepted == 15
    first, retry, second = _verified(server, secret)
    assert first == retry  # a redelivery of the same message
    assert second != first
    with pytest.raises(WebhookVerificationError):
        _verified(server, new_secret())


def test_the_command_signs_with_ingests_secret_unless_it_has_its_own(
    server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_secret, own_secret = new_secret(), new_secret()
    monkeypatch.setenv("HOTLINE_INGEST_URL", server.url)
    monkeypatch.delenv("HOTLINE_SIMULATOR_WEBHOOK_SECRET", raising=False)
    # A rotation lists two secrets: the simulator signs with the first.
    monkeypatch.setenv("HOTLINE_INGEST_WEBHOOK_SECRET", f"{ingest_secret} {new_secret()}")
    args = ["--seed", "4", "--date", "2013-04-07", "--batch-size", "500"]
    assert simulator_main.main(args) == 0
    assert _verified(server, ingest_secret)
    server.requests.clear()
    server.headers.clear()
    monkeypatch.setenv("HOTLINE_SIMULATOR_WEBHOOK_SECRET", own_secret)
    assert simulator_main.main(args) == 0
    assert _verified(server, own_secret)


def test_without_a_secret_the_command_posts_unsigned(
    server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_INGEST_URL", server.url)
    monkeypatch.delenv("HOTLINE_SIMULATOR_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("HOTLINE_INGEST_WEBHOOK_SECRET", raising=False)
    assert simulator_main.main(["--seed", "4", "--date", "2013-04-07"]) == 0
    assert server.headers
    assert not any("webhook-signature" in headers for headers in server.headers)


def test_a_malformed_secret_stops_the_command_before_posting(
    server: Recorder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HOTLINE_INGEST_URL", server.url)
    monkeypatch.setenv("HOTLINE_SIMULATOR_WEBHOOK_SECRET", "whsec_not*base64")
    assert simulator_main.main(["--seed", "4", "--date", "2013-04-07"]) == 2
    assert server.requests == []
    assert "not*base64" not in caplog.text
