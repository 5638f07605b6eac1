"""The moderator console: server-rendered pages over the review queue.

Sign-in takes a moderator (or admin) key once, in a POST body, and opens a server-side
session (`screening.review.console_auth`); the browser keeps only a random token in an
HttpOnly, SameSite=Strict cookie scoped to /console. Every form carries the session's CSRF
token and must come from this origin. Pages work without JavaScript; `static/console.js`
adds keyboard shortcuts, live SLA and lease timers and lease renewal.

Listing photos are kept content-addressed (sha256, `MarkStore`) under
`<data_dir>/review_images` by the screening transaction itself: when a listing is queued
for review (`review.intake.enqueue`) and when it is blocked automatically (for a later
appeal, `review.intake.appeal_material`). The console serves them, sandboxed, to signed-in
moderators only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.deps import ServiceDep
from screening.db.engine import transaction
from screening.db.tables import MarkRow
from screening.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ScreeningError
from screening.review import audit, console_auth, feedback, queue, stats, workspace
from screening.review.console_auth import ConsoleUser
from screening.review.intake import review_image_store
from screening.review.model import Outcome, Reason, Status, aware, now
from screening.review.settings import review_settings
from screening.service import Service

HERE = Path(__file__).resolve().parents[1]
SESSION_COOKIE = "console_session"
LOGIN_COOKIE = "console_login"
COOKIE_PATH = "/console"
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
OUTCOMES = [(Outcome.INFRINGING, "Infringing", "i"), (Outcome.NOT_INFRINGING, "Not infringing", "n"),
            (Outcome.ESCALATE, "Escalate", "e")]
REASONS = [(Reason.COUNTERFEIT, "Counterfeit"), (Reason.TRADEMARK_MISUSE, "Trademark misuse"),
           (Reason.AUTHORIZED_SELLER, "Authorized seller"), (Reason.GENERIC_USE, "Generic or descriptive use"),
           (Reason.OTHER, "Other")]

router = APIRouter(prefix="/console", include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")


def _duration(seconds: float) -> str:
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _until(moment: datetime | None) -> str:
    """'in 3h 05m' or 'overdue 4m 10s' (the page's script keeps it ticking)."""
    if moment is None:
        return "no deadline"
    left = (aware(moment) - now()).total_seconds()
    return f"in {_duration(left)}" if left >= 0 else f"overdue {_duration(left)}"


templates.env.filters["duration"] = _duration
templates.env.filters["until"] = _until
templates.env.filters["iso"] = lambda m: aware(m).isoformat() if m else ""
templates.env.filters["pct"] = lambda v: "–" if v is None else f"{100 * float(v):.0f}%"


class Refused(Forbidden):
    """A console form refused for its origin or CSRF token (answered with a page, not JSON)."""


class SignInRequired(Exception):
    """Raised by console routes when there is no valid session."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@contextmanager
def _transaction(service: Service) -> Iterator[Session]:
    with transaction(service.sessions, writes=True) as session:
        yield session


def _bootstrap(service: Service) -> str | None:
    secret = service.settings.bootstrap_admin_key
    return secret.get_secret_value() if secret else None


def console_user(request: Request, service: ServiceDep) -> ConsoleUser:
    try:
        with _transaction(service) as session:
            return console_auth.resolve(session, request.cookies.get(SESSION_COOKIE), _bootstrap(service))
    except NotAuthenticated as exc:
        raise SignInRequired(exc.detail) from None


UserDep = Annotated[ConsoleUser, Depends(console_user)]
TokenField = Annotated[str, Form(max_length=200)]


def _same_origin(request: Request) -> None:
    """Refuse cross-site form posts (on top of SameSite=Strict cookies and the CSRF token)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise Forbidden("cross-site requests to the console are refused")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden("this form was not sent from the console's own origin")


def _guard(request: Request, user: ConsoleUser, token: str | None) -> None:
    try:
        _same_origin(request)
        console_auth.check_csrf(user, token)
    except Forbidden as exc:
        raise Refused(exc.detail) from None


def _secure(response: Response, csp: str = PAGE_CSP) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" makes form posts send Origin: null
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", None)
    response = templates.TemplateResponse(request, name, {"outcomes": OUTCOMES, "reasons": REASONS, **context},
                                          status_code=status)
    _secure(response)
    return response


def _redirect(url: str) -> Response:
    return _secure(RedirectResponse(url, status_code=303))


def _error(request: Request, user: ConsoleUser | None, service: Service, exc: ScreeningError,
           back: str = "/console") -> HTMLResponse:
    with _transaction(service) as session:
        current = stats.queue_stats(session)
    return _page(request, "error.html", exc.status, user=user, stats=current, error=exc, back=back)


def _login_page(request: Request, status: int = 200, message: str | None = None) -> HTMLResponse:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = _page(request, "login.html", status, login_token=token, message=message)
    _cookie(response, request, LOGIN_COOKIE, token, 3600)
    return response


@router.get("", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep, decided: str | None = None, empty: bool = False) -> Response:
    """The sign-in form, or the moderator's dashboard."""
    try:
        user = console_user(request, service)
    except SignInRequired:
        return _login_page(request)
    with _transaction(service) as session:
        last = None
        if decided:
            try:
                last = queue.get_item(session, decided[:40])
            except NotFound:
                last = None
        return _page(request, "dashboard.html", user=user, stats=stats.queue_stats(session),
                     held=queue.held_by(session, user.key_id), upcoming=queue.upcoming(session, 12),
                     last=last, empty=empty)


@router.post("/login")
def login(request: Request, service: ServiceDep, key: Annotated[str, Form(max_length=500)],
          login_token: TokenField = "") -> Response:
    """Check the key and open a session; the key is never echoed, stored or put in a URL."""
    try:
        _same_origin(request)
    except Forbidden as exc:
        raise Refused(exc.detail) from None
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not secrets.compare_digest(expected, login_token):
        return _login_page(request, 403, "The sign-in form expired. Try again.")
    try:
        with _transaction(service) as session:
            token, _ = console_auth.sign_in(session, key, _bootstrap(service))
    except NotAuthenticated:
        return _login_page(request, 401, "That key is unknown or revoked.")
    except Forbidden:
        return _login_page(request, 403, "Only moderator keys can sign in to the console.")
    response = _redirect("/console")
    _cookie(response, request, SESSION_COOKIE, token, review_settings().console_session_seconds)
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
def logout(request: Request, service: ServiceDep, user: UserDep, csrf_token: TokenField = "") -> Response:
    _guard(request, user, csrf_token)
    with _transaction(service) as session:
        console_auth.sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = _redirect("/console")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/claim")
def claim(request: Request, service: ServiceDep, user: UserDep, csrf_token: TokenField = "") -> Response:
    """Lease the next item to the moderator and open it."""
    _guard(request, user, csrf_token)
    item = queue.claim(service.sessions, user.key_id, service.settings.review_lease_seconds)
    return _redirect(f"/console/items/{item.id}" if item else "/console?empty=1")


def _item_page(request: Request, service: ServiceDep, user: ConsoleUser, item_id: str, status: int = 200,
               message: str | None = None, form: dict[str, Any] | None = None) -> Response:
    with _transaction(service) as session:
        try:
            item = queue.get_item(session, item_id)
        except NotFound as exc:
            return _error(request, user, service, exc)
        state = queue.effective_status(item)
        held = state is Status.CLAIMED and item.claimed_by == user.key_id
        return _page(request, "item.html", status, user=user, stats=stats.queue_stats(session),
                     ws=workspace.build(session, item), state=state.value, held=held,
                     reviews_done=queue.count_decisions(session, item.id), message=message, form=form or {})


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, service: ServiceDep, user: UserDep, item_id: str) -> Response:
    """One item: listings with evidence drawn on them, the reference marks, the decision form."""
    return _item_page(request, service, user, item_id[:40])


@router.post("/items/{item_id}/decision")
def decide(
    request: Request, service: ServiceDep, user: UserDep, item_id: str,
    csrf_token: TokenField = "", outcome: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=40)] = "", note: Annotated[str, Form(max_length=5000)] = "",
    reference_photos: Annotated[list[str] | None, Form()] = None,
    claim_next: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Record the decision (it applies to every grouped listing), then open the next item if asked."""
    _guard(request, user, csrf_token)
    form = {"outcome": outcome, "reason": reason, "note": note}
    if outcome not in {o.value for o in Outcome} or reason not in {r.value for r in Reason}:
        missing = "an outcome (i, n or e)" if outcome not in {o.value for o in Outcome} else "a reason (1-5)"
        return _item_page(request, service, user, item_id, 422, f"Choose {missing} before deciding.", form)
    photos = [p for p in (reference_photos or []) if p][:16]
    try:
        with _transaction(service) as session:
            item = queue.decide(session, item_id, user.key_id, outcome, reason, note.strip() or None)
            if photos and outcome == Outcome.INFRINGING.value:
                feedback.add_reference_photos(
                    session, item, photos, user.key_id, settings=service.settings,
                    photos=review_image_store(service.settings), marks=service.store, index=service.index,
                    indexers=service.mark_indexers)
    except InvalidInput as exc:
        return _item_page(request, service, user, item_id, exc.status, exc.detail, form)
    except ScreeningError as exc:
        return _error(request, user, service, exc, back=f"/console/items/{item_id}")
    if claim_next:
        following = queue.claim(service.sessions, user.key_id, service.settings.review_lease_seconds)
        if following is not None:
            return _redirect(f"/console/items/{following.id}")
        return _redirect(f"/console?decided={item_id}&empty=1")
    return _redirect(f"/console?decided={item_id}")


@router.post("/items/{item_id}/lease")
def renew(request: Request, service: ServiceDep, user: UserDep, item_id: str,
          csrf_token: TokenField = "") -> Response:
    """Extend the lease (the page's script calls this while the moderator is active)."""
    _guard(request, user, csrf_token)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        with _transaction(service) as session:
            item = queue.renew(session, item_id, user.key_id, service.settings.review_lease_seconds)
            expires = aware(item.lease_expires_at)
    except ScreeningError as exc:
        if wants_json:
            return _secure(JSONResponse({"detail": exc.detail}, status_code=exc.status))
        return _error(request, user, service, exc, back=f"/console/items/{item_id}")
    if wants_json:
        return _secure(JSONResponse({"lease_expires_at": expires.isoformat() if expires else None}))
    return _redirect(f"/console/items/{item_id}")


@router.post("/items/{item_id}/release")
def release(request: Request, service: ServiceDep, user: UserDep, item_id: str,
            csrf_token: TokenField = "") -> Response:
    """Hand the item back to the queue undecided."""
    _guard(request, user, csrf_token)
    try:
        with _transaction(service) as session:
            queue.release(session, item_id, user.key_id)
    except ScreeningError as exc:
        return _error(request, user, service, exc, back=f"/console/items/{item_id}")
    return _redirect("/console")


def _file(data: bytes, media_type: str) -> Response:
    response = Response(data, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})
    return _secure(response, FILE_CSP)


@router.get("/photos/{sha256}")
def photo(service: ServiceDep, _: UserDep, sha256: str) -> Response:
    """A stored listing photo of a review item (content-addressed)."""
    store = review_image_store(service.settings)
    try:
        if not store.exists(sha256):
            raise NotFound(f"no stored listing photo {sha256[:64]!r}")
    except ValueError:
        raise NotFound("not a photo id") from None
    data = store.read(sha256)
    return _file(data, workspace.photo_media_type(data))


@router.get("/marks/{mark_id}")
def mark_file(service: ServiceDep, _: UserDep, mark_id: str) -> Response:
    """A reference mark's file; SVGs were sanitized on upload and are served sandboxed."""
    with _transaction(service) as session:
        row = session.get(MarkRow, mark_id[:40])
        if row is None:
            raise NotFound(f"no mark {mark_id[:40]!r}")
        sha, media_type = row.sha256, row.media_type
    if not service.store.exists(sha):
        raise NotFound(f"the file of mark {mark_id[:40]!r} is missing")
    return _file(service.store.read(sha), media_type)


@router.get("/audit.csv")
def audit_csv(service: ServiceDep, _: UserDep) -> StreamingResponse:
    """The append-only audit log as CSV (the same export as /v1/review/audit.csv)."""

    def lines() -> Iterator[str]:
        with service.sessions() as session:
            yield from audit.export_csv(session)

    response = StreamingResponse(lines(), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="review-audit.csv"'})
    _secure(response)
    return response


def install(app: FastAPI) -> None:
    """Mount the console, its static files and its sign-in redirect on the app."""
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    async def _sign_in(request: Request, exc: Exception) -> Response:
        if request.method == "GET":
            return _redirect("/console")
        return _secure(HTMLResponse(
            '<!doctype html><meta charset="utf-8"><title>Sign in</title>'
            '<p>Your console session ended. <a href="/console">Sign in again</a>.</p>', status_code=401))

    async def _refused(request: Request, exc: Exception) -> Response:
        detail = exc.detail if isinstance(exc, Refused) else "refused"
        return _page(request, "refused.html", 403, detail=detail)

    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(Refused, _refused)
