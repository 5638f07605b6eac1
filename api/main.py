"""The FastAPI application: a thin layer over `screening`."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_fastapi_instrumentator import Instrumentator

from api.errors import install_error_handlers, problem
from api.metrics import INDEX_VECTORS, READY
from api.routes import appeals, brands, console, keys, ops, review, screen
from screening.logging import configure_logging
from screening.service import Service
from screening.settings import Settings
from screening.types import Signal

log = structlog.get_logger(__name__)

DESCRIPTION = """Screens marketplace listings for disguised brand infringement before they go
live: allow, review or block, with a risk score and the evidence behind it.
Every `/v1` call carries an `X-API-Key` header; each key has one role."""


def create_app(
    settings: Settings | None = None,
    load_in_background: bool = True,
    signals: list[Signal] | None = None,
) -> FastAPI:
    """Build the app; `signals` replaces the default models (tests share loaded ones)."""
    settings = settings or Settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service.create(settings)
        app.state.service = service
        if load_in_background:
            threading.Thread(
                target=_load, args=(service, signals), name="model-loader", daemon=True
            ).start()
        else:
            _load(service, signals)
        try:
            yield
        finally:
            service.close()

    app = FastAPI(title="Listing screening", version="1.0.0", description=DESCRIPTION,
                  lifespan=lifespan)
    install_error_handlers(app)

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_request_bytes:
            return problem(413, "Payload too large",
                           f"the request body is over {settings.max_request_bytes:,} bytes",
                           "payload-too-large")
        return await call_next(request)

    for router in (ops.router, keys.router, brands.router, screen.router, review.router, appeals.router):
        app.include_router(router)
    console.install(app)
    Instrumentator(excluded_handlers=["/metrics"]).instrument(app).expose(
        app, include_in_schema=True, tags=["operations"]
    )

    @app.middleware("http")
    async def count_results(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path == "/metrics":  # refresh the gauges before they are rendered
            service: Service | None = getattr(request.app.state, "service", None)
            if service is not None:
                READY.set(1 if service.ready.is_set() else 0)
                for space, count in service.index.spaces().items():
                    INDEX_VECTORS.labels(space).set(count)
                review.refresh_metrics(service)
        return await call_next(request)

    return app


def _load(service: Service, signals: list[Signal] | None) -> None:
    try:
        service.load(signals)
    except Exception:  # logged by Service.load; /readyz reports it
        return
