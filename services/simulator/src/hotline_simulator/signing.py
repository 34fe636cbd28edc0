"""Sign requests the way a provider does under Standard Webhooks (with the `standardwebhooks`
package): `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, an
HMAC-SHA256 of `id.timestamp.body` keyed with a `whsec_` secret.

The id names the message: a retry of the same batch keeps it (so ingest can tell a redelivery),
and every attempt is signed anew with its own timestamp.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Generator
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    """A fresh `whsec_` secret of 32 random bytes, as a provider would issue one."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{secrets.token_hex(12)}"


class Signer:
    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)

    def headers(
        self, body: bytes, message_id: str | None = None, at: datetime | None = None
    ) -> dict[str, str]:
        """The three headers for `body` (UTF-8 JSON or NDJSON), signed at `at` (default now)."""
        message_id = message_id or new_message_id()
        # The package reads the datetime's wall clock as UTC: hand it a UTC one.
        when = (at or datetime.now(UTC)).astimezone(UTC)
        signature = self._webhook.sign(message_id, when, body.decode("utf-8"))
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(when.timestamp())),
            "webhook-signature": signature,
        }


class WebhookAuth(httpx.Auth):
    """httpx auth that signs every request's body at the moment it is sent.

    A `webhook-id` the caller set stays (a retry of the same message); otherwise each request
    gets a new one.
    """

    requires_request_body = True

    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(
            self._signer.headers(request.content, request.headers.get("webhook-id"))
        )
        yield request
