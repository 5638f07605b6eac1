"""Health, readiness and metrics (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import ServiceDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """200 while the process lives."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "models or indexes still loading"}})
def readyz(service: ServiceDep) -> JSONResponse:
    """200 once models and indexes are loaded and the database answers; 503 before."""
    checks: dict[str, object] = {"models": service.ready.is_set(), "index": service.index.spaces()}
    try:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception as exc:  # any driver error means not ready
        checks["database"] = f"{type(exc).__name__}"
    if service.load_error:
        checks["error"] = service.load_error
    ready = service.ready.is_set() and checks["database"] is True
    if service.screener is not None:
        checks["model_version"] = service.screener.model_version
    return JSONResponse({"status": "ready" if ready else "loading", **checks},
                        status_code=200 if ready else 503)
