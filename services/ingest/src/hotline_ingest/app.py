"""The HTTP app: wiring only. Logic lives in `signing`, `parsing`, `service` and `producer`.

Order of work for a POST, cheapest refusal first: signature headers present (401, nothing
read), body within the byte limit (413), signature valid and fresh (401), a redelivered
webhook-id answered from memory, then content type, parsing and producing (`service`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from hotline_ingest import api_docs
from hotline_ingest.body import read_limited
from hotline_ingest.kinds import AGENT_EVENTS, CALL_EVENTS
from hotline_ingest.link import KafkaLink
from hotline_ingest.metrics import IngestMetrics
from hotline_ingest.outcome import Outcome
from hotline_ingest.parsing import BodyError
from hotline_ingest.producer import Destination, EventProducer, KafkaEventProducer
from hotline_ingest.redelivery import Redeliveries
from hotline_ingest.service import IngestService, Target
from hotline_ingest.settings import Settings
from hotline_ingest.signing import SignatureError, signing_mode

log = logging.getLogger(__name__)

ProducerFactory = Callable[[Settings], EventProducer]


def create_app(
    settings: Settings,
    producer_factory: ProducerFactory = KafkaEventProducer,
    registry: CollectorRegistry | None = None,
) -> FastAPI:
    """The app; raises `signing.UnsignedRefusedError` when it must not run without a secret."""
    mode = signing_mode(settings)
    log.log(logging.WARNING if mode.warn else logging.INFO, "%s", mode.message)
    verifier = mode.verifier
    metrics = IngestMetrics(registry if registry is not None else CollectorRegistry())
    link = KafkaLink(
        lambda: producer_factory(settings),
        check_seconds=settings.ready_check_seconds,
        max_age_seconds=settings.ready_max_age_seconds,
        backoff_seconds=settings.reconnect_backoff_seconds,
    )
    metrics.kafka_ready.set_function(lambda: float(link.ready()))
    service = IngestService(settings, link, metrics)
    redeliveries = Redeliveries(settings.redelivery_seconds, settings.redelivery_max_entries)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # One bounded attempt first, so a healthy start is ready at once; if Kafka is down
        # the app serves anyway (503 + Retry-After) and the link keeps trying.
        await run_in_threadpool(link.connect_once)
        link.start()
        try:
            yield
        finally:
            await run_in_threadpool(link.stop)

    app = FastAPI(
        title="hotline ingest",
        version="1",
        summary="Telephony provider webhook: call and agent events in, Kafka (acks=all) out.",
        lifespan=lifespan,
    )
    app.state.link = link
    app.state.metrics = metrics

    def respond(outcome: Outcome) -> JSONResponse:
        return JSONResponse(outcome.body, outcome.status_code, headers=outcome.headers)

    def endpoint(target: Target) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def post(request: Request) -> JSONResponse:
            webhook_id = None
            try:
                if verifier is not None:
                    webhook_id = verifier.webhook_id(request.headers)
                body = await read_limited(request, settings.max_body_bytes)
                if verifier is not None:
                    await run_in_threadpool(verifier.verify, body, request.headers)
            except SignatureError as exc:
                metrics.unauthorized.labels(exc.label).inc()
                return JSONResponse({"detail": exc.detail}, 401, headers=api_docs.WWW_AUTHENTICATE)
            except BodyError as exc:
                return respond(service.refuse(exc))
            content_type = request.headers.get("content-type")

            # Parsing a large body and waiting for Kafka's acks both block: off the loop.
            def work() -> Awaitable[Outcome]:
                return run_in_threadpool(service.handle, target, body, content_type)

            if webhook_id is None:
                return respond(await work())
            outcome, again = await redeliveries.once(f"{request.url.path} {webhook_id}", work)
            if again:
                metrics.redeliveries.inc()
            return respond(outcome)

        return post

    signed = verifier is not None
    routes: list[tuple[str, Target, dict[str, Any], str, str]] = [
        (
            "/v1/events",
            Target(
                CALL_EVENTS,
                Destination(settings.raw_topic, settings.dead_letter_topic),
                metrics.call_events,
            ),
            api_docs.CALL_EVENT_ITEM,
            "call event (CallEvent v1 or v2)",
            "Accept call events: one, a JSON array of them, or NDJSON",
        ),
        (
            "/v1/agent-events",
            Target(
                AGENT_EVENTS,
                Destination(settings.agent_topic, settings.agent_dead_letter_topic),
                metrics.agent_events,
            ),
            api_docs.AGENT_EVENT_ITEM,
            "agent event (AgentEvent v1)",
            "Accept agent events: one, a JSON array of them, or NDJSON",
        ),
    ]
    for path, target, item, what, summary in routes:
        app.add_api_route(
            path,
            endpoint(target),
            methods=["POST"],
            status_code=202,
            response_model=api_docs.IngestResult,
            responses=api_docs.responses(settings, signed),
            openapi_extra=api_docs.request_body(settings, item, what, signed),
            summary=summary,
        )

    @app.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        summary="Kafka answered a metadata round trip recently",
        responses={503: {"model": api_docs.Problem}},
    )
    async def readyz() -> JSONResponse:
        if link.ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse(
            {"status": "not ready", "detail": "no recent successful Kafka round trip"},
            503,
            headers={"Retry-After": str(settings.retry_after_seconds)},
        )

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {}).update(api_docs.contract_components())
            if signed:
                components["securitySchemes"] = api_docs.security_schemes()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
