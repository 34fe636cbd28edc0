"""The HTTP app: wiring only. Queries live in `queries`, assembly in `snapshot`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from hotline_board.clickhouse import BoardClickHouse
from hotline_board.metrics import BoardMetrics
from hotline_board.models import Board, Unavailable
from hotline_board.settings import Settings
from hotline_board.snapshot import BoardConfig, Executor, build, parse_at
from hotline_schemas.reference_data import populations

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
NO_STORE = {"Cache-Control": "no-store"}


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    executor: Executor | None = None,
    registry: CollectorRegistry | None = None,
    clock: Callable[[], datetime] = _now,
) -> FastAPI:
    metrics = BoardMetrics(registry if registry is not None else CollectorRegistry())
    own_client = BoardClickHouse(settings.clickhouse, settings.query_timeout_s)
    ex: Executor = executor if executor is not None else own_client
    cfg = BoardConfig(
        database=settings.clickhouse.database,
        schedule=settings.rules.schedule(),
        populations=populations(),
        thresholds=settings.rules.thresholds(),
        service_level_target=settings.rules.service_level_target,
        taxonomy=settings.rules.taxonomy(),
        stale_after_s=settings.stale_after_s,
    )
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{REFRESH_MS}}", str(int(settings.refresh_s * 1000)))

    def snapshot(at: datetime | None) -> Board:
        pinned = at or settings.at
        try:
            return build(ex, cfg, pinned or clock(), pinned=pinned is not None)
        except Exception:
            metrics.query_failures.inc()
            raise

    async def refresh_forever() -> None:
        # Keeps the Prometheus gauges current even when no page is open.
        while True:
            try:
                metrics.update(await run_in_threadpool(snapshot, None))
            except Exception as exc:
                log.warning("board refresh failed: %s", exc)
            await asyncio.sleep(settings.refresh_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(refresh_forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            own_client.close()

    app = FastAPI(
        title="hotline board",
        version="1",
        summary="Live operations board of the evening hotline: a page and its JSON API.",
        lifespan=lifespan,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page, headers=NO_STORE)

    @app.get(
        "/api/board",
        response_model=Board,
        responses={503: {"model": Unavailable, "description": "ClickHouse unreachable"}},
        summary="The board: live state, last 15 minutes, this evening",
    )
    def api_board(
        at: Annotated[
            str | None,
            Query(
                description="Pin the board's 'now' (RFC 3339 with offset), e.g. "
                "2013-03-31T19:00:00Z to view a replayed evening; default: the wall clock "
                "or HOTLINE_BOARD_AT",
            ),
        ] = None,
    ) -> Response:
        try:
            pinned = parse_at(at) if at else None
        except ValueError as exc:
            return JSONResponse({"detail": f"bad at: {exc}"}, 422, headers=NO_STORE)
        try:
            board = snapshot(pinned)
        except Exception as exc:
            log.warning("board query failed: %s", exc)
            body = Unavailable(detail=f"ClickHouse query failed: {type(exc).__name__}: {exc}")
            return JSONResponse(body.model_dump(), 503, headers=NO_STORE)
        return Response(board.model_dump_json(), media_type="application/json", headers=NO_STORE)

    @app.get("/healthz", summary="The process serves")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="ClickHouse answers", responses={503: {"model": Unavailable}})
    def readyz() -> JSONResponse:
        try:
            ex.execute("SELECT 1")
        except Exception as exc:
            return JSONResponse({"detail": f"ClickHouse unreachable: {exc}"}, 503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
