"""Turns every error into an RFC 9457 problem+json response."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from screening.errors import ScreeningError

log = structlog.get_logger(__name__)

PROBLEM_TYPE_BASE = "https://screening.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for piece in loc:
        if isinstance(piece, int):
            parts.append(f"[{piece}]")
        elif piece not in ("body", "query", "path", "header"):
            parts.append(f".{piece}" if parts else str(piece))
    return "".join(parts) or "request"


def _validation_detail(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    for error in exc.errors():
        where = _location(tuple(error.get("loc", ())))
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            position = error.get("loc", ("body", "?"))[-1]
            where = "body"
            reason = error.get("ctx", {}).get("error", "malformed")
            message = f"the body is not valid JSON ({reason} at character {position})"
        errors.append({"field": where, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:10])
    return detail or "the request is invalid", errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ScreeningError)
    async def _screening_error(_: Request, exc: ScreeningError) -> JSONResponse:
        extra: dict[str, Any] = {}
        image_index = getattr(exc, "image_index", None)
        if image_index is not None:
            extra["image_index"] = image_index
        return problem(exc.status, exc.title, exc.detail, exc.type_slug, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = _validation_detail(exc)
        return problem(422, "Invalid input", detail, "invalid-input", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(exc.status_code, str(exc.detail), str(exc.detail), slug)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.failed", path=request.url.path)
        return problem(500, "Internal error", "an unexpected error occurred; it was logged",
                       "internal")
