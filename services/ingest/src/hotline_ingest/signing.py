"""Standard Webhooks verification: who may post, decided before any other work.

A request carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several separated by spaces). The crypto and
the 5-minute timestamp tolerance (either direction) are the `standardwebhooks` package's; this
module decides the mode, checks the headers are there before the body is read, and turns the
package's errors into reasons a provider's engineer can act on.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hotline_ingest.settings import Settings

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
MAX_ID_CHARS = 256  # the id is kept in memory for redeliveries: bound it
TOLERANCE_SECONDS = 300  # the package's fixed tolerance, for messages and docs


class SignatureError(Exception):
    """401: the request is not (verifiably) from the holder of a configured secret."""

    def __init__(self, label: str, detail: str) -> None:
        super().__init__(detail)
        self.label = label  # bounded metric label
        self.detail = detail


class UnsignedRefusedError(Exception):
    """No secret and no explicit permission to run unsigned: ingest must not start."""


class Verifier:
    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise ValueError("a verifier needs at least one secret")
        self._webhooks = [Webhook(secret) for secret in secrets]

    @property
    def secret_count(self) -> int:
        return len(self._webhooks)

    def webhook_id(self, headers: Mapping[str, str]) -> str:
        """The request's webhook-id, once all three headers are there (nothing read yet)."""
        missing = [name for name in HEADERS if not headers.get(name)]
        if missing:
            raise SignatureError(
                "unsigned",
                f"unsigned request: header(s) {', '.join(missing)} missing; sign every request "
                "per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)",
            )
        webhook_id = headers["webhook-id"]
        if len(webhook_id) > MAX_ID_CHARS:
            raise SignatureError("bad_id", f"webhook-id is longer than {MAX_ID_CHARS} characters")
        # The timestamp's form and age are known before the body is read: a request that can
        # never verify is refused (401) before any other work, oversized or not.
        _check_timestamp(headers["webhook-timestamp"], time.time())
        return webhook_id

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Return when one secret's signature matches and the timestamp is fresh."""
        self.webhook_id(headers)
        try:
            # The package signs text; the signature covers the body's UTF-8 bytes.
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SignatureError(
                "not_utf8",
                "signature cannot be verified: the body is not UTF-8 (JSON and NDJSON must be)",
            ) from exc
        wanted = {name: headers[name] for name in HEADERS}
        error = SignatureError("bad_signature", "no secret's signature matches")
        for webhook in self._webhooks:
            try:
                webhook.verify(text, wanted, json_parse=False)
            except WebhookVerificationError as exc:
                error = _explain(exc, headers["webhook-timestamp"])
                if error.label != "bad_signature":
                    break  # the timestamp is the same for every secret
            except ValueError as exc:  # the package splits and base64-decodes the header as is
                raise SignatureError(
                    "malformed_signature",
                    "webhook-signature is malformed: expected space-separated "
                    f"'v1,<base64>' entries ({exc})",
                ) from exc
            else:
                return
        raise error


def _check_timestamp(timestamp: str, now: float) -> None:
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise SignatureError(
            "bad_timestamp", f"webhook-timestamp {timestamp[:40]!r} is not a Unix time in seconds"
        )
    age = now - int(timestamp)
    if abs(age) > TOLERANCE_SECONDS:
        raise _explain(
            WebhookVerificationError(
                "Message timestamp too old" if age > 0 else "Message timestamp too new"
            ),
            timestamp,
        )


def _explain(exc: WebhookVerificationError, timestamp: str) -> SignatureError:
    message = str(exc)
    window = f"{TOLERANCE_SECONDS // 60} minutes"
    if "too old" in message:
        return SignatureError(
            "stale",
            f"webhook-timestamp {timestamp} is more than {window} in the past: a stale or "
            "replayed request, or the sender's clock is wrong (sign each attempt anew)",
        )
    if "too new" in message:
        return SignatureError(
            "stale",
            f"webhook-timestamp {timestamp} is more than {window} in the future: the sender's "
            "clock is wrong",
        )
    if "Invalid Signature Headers" in message:
        return SignatureError(
            "bad_timestamp", f"webhook-timestamp {timestamp!r} is not a Unix time in seconds"
        )
    return SignatureError(
        "bad_signature",
        "webhook-signature does not match: wrong secret, or the id, timestamp or body changed "
        "after signing (sign exactly the bytes you send: 'id.timestamp.body')",
    )


@dataclass(frozen=True)
class SigningMode:
    verifier: Verifier | None  # None: requests are not checked
    message: str  # the one log line that says which mode and why
    warn: bool


def signing_mode(settings: Settings) -> SigningMode:
    secrets = settings.webhook_secrets()
    if secrets:
        return SigningMode(
            Verifier(secrets),
            f"webhook signatures required on every POST ({len(secrets)} secret(s) configured "
            "in HOTLINE_INGEST_WEBHOOK_SECRET)",
            warn=False,
        )
    if settings.allow_unsigned:
        return SigningMode(
            None,
            "webhook signatures NOT checked: HOTLINE_INGEST_ALLOW_UNSIGNED=true and no "
            "HOTLINE_INGEST_WEBHOOK_SECRET (the proxy in front must authenticate the provider)",
            warn=True,
        )
    if settings.dev:
        if not _is_loopback(settings.host):
            raise UnsignedRefusedError(
                f"refusing to start: HOTLINE_DEV=true allows unsigned requests on loopback only, "
                f"but HOTLINE_INGEST_HOST is {settings.host}; set HOTLINE_INGEST_WEBHOOK_SECRET"
            )
        return SigningMode(
            None,
            "webhook signatures NOT checked: HOTLINE_DEV=true and no HOTLINE_INGEST_WEBHOOK_SECRET "
            f"(development only; listening on {settings.host})",
            warn=True,
        )
    raise UnsignedRefusedError(
        "refusing to start: HOTLINE_INGEST_WEBHOOK_SECRET is not set. Set it to the provider's "
        "whsec_ secret(s); or HOTLINE_INGEST_ALLOW_UNSIGNED=true behind an authenticating proxy; "
        "or HOTLINE_DEV=true for local development"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
