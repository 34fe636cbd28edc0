"""Webhook signing: the secret's format, the start-up mode, verification, redeliveries.

Pure (no Kafka, no HTTP): the provider side is the simulator's signer, which uses the same
`standardwebhooks` package; a hand-computed signature checks that both follow the spec.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from hotline_ingest.outcome import Outcome
from hotline_ingest.redelivery import MAX_KEPT_REJECTIONS, Redeliveries
from hotline_ingest.settings import Settings, load_settings
from hotline_ingest.signing import (
    SignatureError,
    UnsignedRefusedError,
    Verifier,
    signing_mode,
)
from hotline_schemas.config import webhook_secrets
from hotline_simulator.signing import Signer, new_secret

BODY = b'{"schema_version": 1}'


def test_the_secret_variable_lists_secrets_by_space_or_comma() -> None:
    assert webhook_secrets(" whsec_a  whsec_b,whsec_c ,\n") == ["whsec_a", "whsec_b", "whsec_c"]
    assert webhook_secrets("") == []


@pytest.mark.parametrize(
    ("second", "says"),
    [
        ("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "secret 2 must start with 'whsec_'"),
        ("whsec_not*base64", "secret 2 is not base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "secret 2 decodes to 5 bytes"),
    ],
)
def test_a_malformed_secret_stops_the_start_without_showing_any(
    second: str, says: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    first = new_secret()
    monkeypatch.setenv("HOTLINE_INGEST_WEBHOOK_SECRET", f"{first} {second}")
    assert load_settings() is None
    (record,) = caplog.records
    assert says in record.getMessage()
    assert first not in caplog.text
    assert second not in caplog.text


def test_a_secret_variable_without_a_secret_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HOTLINE_INGEST_WEBHOOK_SECRET", " , ")
    assert load_settings() is None
    assert "holds no secret" in caplog.text


def test_two_secrets_for_a_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = new_secret(), new_secret()
    monkeypatch.setenv("HOTLINE_INGEST_WEBHOOK_SECRET", f"{old},{new}")
    settings = load_settings()
    assert settings is not None
    verifier = signing_mode(settings).verifier
    assert verifier is not None
    for secret in (old, new):
        verifier.verify(BODY, Signer(secret).headers(BODY))
    with pytest.raises(SignatureError) as caught:
        verifier.verify(BODY, Signer(new_secret()).headers(BODY))
    assert caught.value.label == "bad_signature"


def test_without_a_secret_ingest_refuses_to_start_and_says_how_to_fix_it() -> None:
    with pytest.raises(UnsignedRefusedError) as caught:
        signing_mode(Settings())
    message = str(caught.value)
    assert "\n" not in message
    for name in ("HOTLINE_INGEST_WEBHOOK_SECRET", "HOTLINE_INGEST_ALLOW_UNSIGNED", "HOTLINE_DEV"):
        assert name in message


def test_unsigned_only_when_explicitly_allowed_and_the_log_line_says_which(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOTLINE_DEV", "true")
    dev = signing_mode(Settings())
    assert dev.verifier is None
    assert dev.warn
    assert "HOTLINE_DEV=true" in dev.message
    monkeypatch.delenv("HOTLINE_DEV")
    monkeypatch.setenv("HOTLINE_INGEST_ALLOW_UNSIGNED", "true")
    proxied = signing_mode(Settings(host="0.0.0.0"))
    assert proxied.verifier is None
    assert "HOTLINE_INGEST_ALLOW_UNSIGNED=true" in proxied.message
    signed = signing_mode(Settings(webhook_secret=new_secret(), dev=True))
    assert signed.verifier is not None  # a secret always wins: HOTLINE_DEV does not turn it off
    assert not signed.warn


def test_dev_mode_never_listens_unsigned_beyond_loopback() -> None:
    assert signing_mode(Settings(dev=True, host="::1")).verifier is None
    with pytest.raises(UnsignedRefusedError, match="loopback only"):
        signing_mode(Settings(dev=True, host="0.0.0.0"))


@pytest.fixture
def secret() -> str:
    return new_secret()


@pytest.fixture
def verifier(secret: str) -> Verifier:
    return Verifier([secret])


def test_a_signature_computed_by_hand_per_the_spec_verifies(
    secret: str, verifier: Verifier
) -> None:
    # What the provider's engineer does (docs/ingest.md): HMAC-SHA256 of "id.timestamp.body".
    webhook_id, timestamp = "msg_2Lb1", str(int(datetime.now(UTC).timestamp()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + BODY, hashlib.sha256)
    signature = "v1," + base64.b64encode(mac.digest()).decode()
    headers = {"webhook-id": webhook_id, "webhook-timestamp": timestamp}
    verifier.verify(BODY, {**headers, "webhook-signature": signature})
    at = datetime.fromtimestamp(int(timestamp), UTC)
    assert Signer(secret).headers(BODY, webhook_id, at) == {
        **headers,
        "webhook-signature": signature,
    }


def test_one_matching_signature_among_several_is_enough(secret: str, verifier: Verifier) -> None:
    headers = Signer(secret).headers(BODY)
    other = Signer(new_secret()).headers(BODY, headers["webhook-id"])["webhook-signature"]
    verifier.verify(
        BODY, {**headers, "webhook-signature": f"{other} {headers['webhook-signature']}"}
    )


def _refusal(verifier: Verifier, body: bytes, headers: dict[str, str]) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verifier.verify(body, headers)
    return caught.value


def test_missing_headers_are_named_before_the_body_is_needed(verifier: Verifier) -> None:
    with pytest.raises(SignatureError) as caught:
        verifier.webhook_id({"webhook-id": "msg_1"})
    assert caught.value.label == "unsigned"
    assert "webhook-timestamp, webhook-signature missing" in caught.value.detail


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_stale_timestamp_in_either_direction_is_refused(
    secret: str, verifier: Verifier, minutes: int
) -> None:
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    refusal = _refusal(verifier, BODY, Signer(secret).headers(BODY, at=at))
    assert refusal.label == "stale"
    assert ("in the past" if minutes < 0 else "in the future") in refusal.detail


def test_four_minutes_off_is_still_fresh(secret: str, verifier: Verifier) -> None:
    for minutes in (-4, 4):
        at = datetime.now(UTC) + timedelta(minutes=minutes)
        verifier.verify(BODY, Signer(secret).headers(BODY, at=at))


def test_any_change_after_signing_is_refused(secret: str, verifier: Verifier) -> None:
    headers = Signer(secret).headers(BODY)
    assert _refusal(verifier, BODY + b" ", headers).label == "bad_signature"
    assert _refusal(verifier, BODY, {**headers, "webhook-id": "msg_other"}).label == (
        "bad_signature"
    )
    later = str(int(headers["webhook-timestamp"]) + 1)
    assert _refusal(verifier, BODY, {**headers, "webhook-timestamp": later}).label == (
        "bad_signature"
    )


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ({"webhook-signature": "v1"}, "malformed_signature"),
        ({"webhook-signature": "v1,a"}, "malformed_signature"),
        ({"webhook-signature": "v1,***"}, "bad_signature"),
        ({"webhook-signature": "v2,abcd"}, "bad_signature"),
        ({"webhook-timestamp": "yesterday"}, "bad_timestamp"),
        ({"webhook-timestamp": "nan"}, "bad_timestamp"),
        ({"webhook-id": "x" * 257}, "bad_id"),
    ],
)
def test_malformed_headers_are_a_401_not_a_crash(
    secret: str, verifier: Verifier, change: dict[str, str], label: str
) -> None:
    headers = {**Signer(secret).headers(BODY), **change}
    assert _refusal(verifier, BODY, headers).label == label


def test_a_body_that_is_not_utf8_cannot_be_verified(secret: str, verifier: Verifier) -> None:
    headers = Signer(secret).headers(BODY)
    refusal = _refusal(verifier, b"\xff" + BODY, headers)
    assert refusal.label == "not_utf8"


# --- redeliveries ---------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _accepted(n: int) -> Outcome:
    return Outcome(202, {"accepted": n, "rejected": [], "detail": f"{n} accepted"})


@pytest.mark.anyio
async def test_a_redelivery_gets_the_first_answer_without_the_work() -> None:
    clock = Clock()
    cache = Redeliveries(ttl_seconds=60, max_entries=10, clock=clock)
    calls: list[str] = []

    async def work() -> Outcome:
        calls.append("work")
        return _accepted(3)

    assert await cache.once("msg_1", work) == (_accepted(3), False)
    assert await cache.once("msg_1", work) == (_accepted(3), True)
    assert calls == ["work"]
    clock.now = 61  # past the TTL: processed again (storage dedups on event_id)
    assert await cache.once("msg_1", work) == (_accepted(3), False)
    assert calls == ["work", "work"]


@pytest.mark.anyio
async def test_a_concurrent_redelivery_waits_for_the_first() -> None:
    cache = Redeliveries(ttl_seconds=60, max_entries=10)
    release = asyncio.Event()
    calls = 0

    async def work() -> Outcome:
        nonlocal calls
        calls += 1
        await release.wait()
        return _accepted(1)

    first = asyncio.ensure_future(cache.once("msg_1", work))
    second = asyncio.ensure_future(cache.once("msg_1", work))
    await asyncio.sleep(0.01)
    release.set()
    assert await first == (_accepted(1), False)
    assert await second == (_accepted(1), True)
    assert calls == 1


@pytest.mark.anyio
async def test_a_503_is_not_kept_and_a_failure_lets_the_next_delivery_work() -> None:
    cache = Redeliveries(ttl_seconds=60, max_entries=10)
    unavailable = Outcome(503, {"detail": "Kafka"}, {"Retry-After": "5"})

    async def fails() -> Outcome:
        return unavailable

    async def crashes() -> Outcome:
        raise RuntimeError("boom")

    async def works() -> Outcome:
        return _accepted(2)

    assert await cache.once("msg_1", fails) == (unavailable, False)
    with pytest.raises(RuntimeError):
        await cache.once("msg_1", crashes)
    assert await cache.once("msg_1", works) == (_accepted(2), False)
    assert len(cache) == 1


@pytest.mark.anyio
async def test_the_cache_is_bounded_and_keeps_long_answers_short() -> None:
    cache = Redeliveries(ttl_seconds=60, max_entries=2)
    rejected: list[object] = [
        {"index": n, "line": None, "reason": "bad", "errors": []} for n in range(500)
    ]
    long = Outcome(422, {"accepted": 0, "rejected": rejected, "detail": "500 rejected"})

    async def work() -> Outcome:
        return long

    assert (await cache.once("msg_1", work))[0] == long  # the first answer is complete
    kept, again = await cache.once("msg_1", work)
    assert again
    assert kept.status_code == 422
    assert kept.body["rejected"] == rejected[:MAX_KEPT_REJECTIONS]
    assert "listed 500 rejected items" in str(kept.body["detail"])
    for n in range(2, 5):
        await cache.once(f"msg_{n}", work)
    assert len(cache) == 2
    assert (await cache.once("msg_1", work))[1] is False  # the oldest was dropped
