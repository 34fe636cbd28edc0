"""Schemathesis against the app's own /openapi.json, in-process (ASGI), on the real broker.

Every generated request is signed (as the provider signs), so the cases reach parsing and
producing, not only the signature check; the signature check itself is fuzzed by a run
without signing. A bounded number of examples per operation and mode keeps this well under a
minute. It passes when no response is a 5xx and every response conforms to the document
(status codes, content types, headers, bodies), and schema-violating requests are refused.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import hypothesis
import pytest
import requests
from prometheus_client import CollectorRegistry

from hotline_ingest.settings import Settings
from hotline_ingest.signing import MAX_ID_CHARS
from hotline_simulator.signing import Signer

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings(
        r"ignore:\w+ is deprecated. Use files\(\) instead:DeprecationWarning"
    ),
]

# Examples per operation and generation mode: about 20 s for the signed run on this 2-core
# machine. The unsigned run only has to show that nothing gets past the signature check.
EXAMPLES, UNSIGNED_EXAMPLES = 40, 15


class SignedRequests(requests.auth.AuthBase):
    """Signs each prepared request's exact bytes, as the provider would.

    Only a case whose generated signature headers are all there and schema-valid, and whose
    body is text, is signed (with a fresh webhook-id: generated ids repeat, and a repeated id
    is a redelivery); a negative case that leaves a header out or breaks its schema, or sends
    bytes that are not UTF-8 (no Standard Webhooks library can sign them), goes as generated
    and must be refused.
    """

    def __init__(self, signer: Signer | None) -> None:
        self.signer = signer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.signer is not None and request.method == "POST" and _signable(request.headers):
            body = request.body or b""
            body = body.encode() if isinstance(body, str) else body
            assert isinstance(body, bytes)
            with contextlib.suppress(UnicodeDecodeError):
                request.headers.update(self.signer.headers(body))
        return request


def _signable(headers: Mapping[str, str]) -> bool:
    webhook_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    return (
        webhook_id is not None
        and 1 <= len(webhook_id) <= MAX_ID_CHARS
        and timestamp is not None
        and re.fullmatch(r"[0-9]{1,12}", timestamp) is not None
        and "webhook-signature" in headers
    )


def _fuzz(settings: Settings, signer: Signer | None, examples: int) -> Counter[str]:
    """Status codes seen per operation; a schemathesis failure fails the test at once."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

    from hotline_ingest.app import create_app

    # Schema-valid is not always acceptable here, by design: JSON Schema cannot say "no NUL
    # character", "no repeated key", "occurred_at within 2000-2100 and at most a day ahead of
    # the clock" (the document says so in words); such items get 422 with the field. So a 422
    # for a schema-valid body is no failure; every other check runs.
    excluded = [positive_data_acceptance]
    # The signing hook replaces whatever auth a case carries by a valid signature, so the check
    # that invalid auth is refused can only be run unsigned (the second test).
    if signer is not None:
        excluded.append(ignored_auth)

    app = create_app(settings, registry=CollectorRegistry())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    session = requests.Session()
    session.auth = SignedRequests(signer)
    seen: Counter[str] = Counter()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
                @hypothesis.settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    derandomize=True,  # the same cases every run: a CI failure reproduces
                    suppress_health_check=list(hypothesis.HealthCheck),
                    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],  # no shrinking
                )
                def run(case: Any) -> None:
                    response = case.call(session=session)
                    seen[f"{case.operation.label} {response.status_code}"] += 1
                    case.validate_response(response, excluded_checks=excluded)

                try:
                    run()
                except hypothesis.errors.Unsatisfiable:
                    # Nothing to negate (GET /healthz takes no input): no negative case exists.
                    if mode is not GenerationMode.NEGATIVE:
                        raise
    finally:
        from schemathesis.python.asgi import shutdown_lifespans

        shutdown_lifespans()
    print("schemathesis, responses by operation and status:")
    for what, count in sorted(seen.items()):
        print(f"{count:5d}  {what}")
    return seen


def test_schemathesis_signed_requests_find_no_failure(kafka_settings: Settings) -> None:
    (secret,) = kafka_settings.webhook_secrets()
    seen = _fuzz(kafka_settings, Signer(secret), EXAMPLES)
    assert not any(what.endswith(" 500") for what in seen)
    # The fuzzing went through: events accepted and produced, bodies refused, items rejected.
    assert seen["POST /v1/events 202"] > 0
    assert seen["POST /v1/agent-events 202"] > 0
    assert seen["POST /v1/events 422"] > 0
    assert seen["POST /v1/events 400"] + seen["POST /v1/agent-events 400"] > 0


def test_schemathesis_unsigned_requests_all_get_401(kafka_settings: Settings) -> None:
    seen = _fuzz(kafka_settings, None, UNSIGNED_EXAMPLES)
    posts = {what: n for what, n in seen.items() if what.startswith("POST")}
    assert posts
    assert all(what.endswith(" 401") for what in posts), posts
