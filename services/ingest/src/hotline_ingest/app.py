"""The HTTP app: wiring only. Logic lives in `parsing`, `service` and `producer`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from hotline_ingest import api_docs
from hotline_ingest.body import read_limited
from hotline_ingest.link import KafkaLink
from hotline_ingest.metrics import IngestMetrics
from hotline_ingest.parsing import BodyError
from hotline_ingest.producer import EventProducer, KafkaEventProducer
from hotline_ingest.service import IngestService, Outcome
from hotline_ingest.settings import Settings

ProducerFactory = Callable[[Settings], EventProducer]


def create_app(
    settings: Settings,
    producer_factory: ProducerFactory = KafkaEventProducer,
    registry: CollectorRegistry | None = None,
) -> FastAPI:
    metrics = IngestMetrics(registry if registry is not None else CollectorRegistry())
    link = KafkaLink(
        lambda: producer_factory(settings),
        check_seconds=settings.ready_check_seconds,
        max_age_seconds=settings.ready_max_age_seconds,
        backoff_seconds=settings.reconnect_backoff_seconds,
    )
    metrics.kafka_ready.set_function(lambda: float(link.ready()))
    service = IngestService(settings, link, metrics)

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
        summary="Telephony provider webhook: call events in, Kafka (acks=all) out.",
        lifespan=lifespan,
    )
    app.state.link = link
    app.state.metrics = metrics

    def respond(outcome: Outcome) -> JSONResponse:
        return JSONResponse(outcome.body, outcome.status_code, headers=outcome.headers)

    @app.post(
        "/v1/events",
        status_code=202,
        response_model=api_docs.IngestResult,
        responses=api_docs.RESPONSES,
        openapi_extra=api_docs.request_body(settings.max_body_bytes, settings.max_items),
        summary="Accept one call event, a JSON array of them, or NDJSON",
    )
    async def post_events(request: Request) -> JSONResponse:
        try:
            body = await read_limited(request, settings.max_body_bytes)
        except BodyError as exc:
            return respond(service.refuse(exc))
        # Parsing a large body and waiting for Kafka's acks both block: keep them off the loop.
        outcome = await run_in_threadpool(service.handle, body, request.headers.get("content-type"))
        return respond(outcome)

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
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(api_docs.call_event_components())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
