"""Shared request dependencies as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from screening.db.engine import transaction
from screening.errors import Forbidden, NotReady
from screening.keys import Principal, authenticate
from screening.paging import DEFAULT_LIMIT, MAX_LIMIT
from screening.screen import Screener
from screening.service import Service
from screening.types import Role

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="API key; each key has exactly one role")


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def get_session(service: ServiceDep) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on any error."""
    with transaction(service.sessions) as session:
        yield session


def get_write_session(service: ServiceDep) -> Iterator[Session]:
    """The request transaction of a route that writes (see `screening.db.engine.transaction`)."""
    with transaction(service.sessions, writes=True) as session:
        yield session


# scope="function": the transaction commits before the response is sent, so a client never
# sees a success whose commit failed, and its next request sees what this one wrote.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]


def get_principal(
    service: ServiceDep, session: SessionDep, raw_key: Annotated[str | None, Security(api_key_header)]
) -> Principal:
    secret = service.settings.bootstrap_admin_key
    return authenticate(session, raw_key, secret.get_secret_value() if secret else None)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency admitting only the given roles (admin always)."""
    allowed = set(roles) | {Role.ADMIN}

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"this route needs one of the roles: {names}")
        return principal

    return check


ListingFlowDep = Annotated[Principal, Depends(require(Role.LISTING_FLOW))]
ModeratorDep = Annotated[Principal, Depends(require(Role.MODERATOR))]
BrandManagerDep = Annotated[Principal, Depends(require(Role.BRAND_OWNER))]
AdminDep = Annotated[Principal, Depends(require())]


def get_screener(service: ServiceDep) -> Screener:
    if not service.ready.is_set() or service.screener is None:
        raise NotReady("models and indexes are still loading; retry shortly")
    return service.screener


ScreenerDep = Annotated[Screener, Depends(get_screener)]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
CursorQuery = Annotated[str | None, Query(max_length=100, description="next_cursor of the previous page")]
BrandIdPath = Annotated[str, Path(max_length=100, description="the brand's id")]
MarkIdPath = Annotated[str, Path(max_length=100, description="the reference mark's id")]
DEFAULT_PAGE = DEFAULT_LIMIT
