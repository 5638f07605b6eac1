"""Moderator console sign-ins: server-side sessions with a CSRF token each.

The browser holds a random token in an HttpOnly cookie; the table keeps only its SHA-256,
so a leaked database does not leak sessions, and the API key itself never leaves the
sign-in request. Every use re-checks that the key still exists, is not revoked, and still
has a role allowed in the console, so revoking a key ends its console sessions at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from screening.db.tables import ApiKeyRow, ConsoleSessionRow
from screening.errors import Forbidden, NotAuthenticated
from screening.keys import BOOTSTRAP_KEY_ID, Principal, authenticate
from screening.review.model import aware, now
from screening.review.settings import review_settings
from screening.types import Role

CONSOLE_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})


@dataclass(frozen=True)
class ConsoleUser:
    key_id: str
    role: Role
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, raw_key: str, bootstrap_key: str | None) -> tuple[str, ConsoleUser]:
    """Check a moderator (or admin) key and open a session; returns (cookie token, user).

    Unknown keys raise NotAuthenticated (401); brand-owner and listing-flow keys Forbidden (403).
    """
    principal: Principal = authenticate(session, raw_key.strip(), bootstrap_key)
    if principal.role not in CONSOLE_ROLES:
        raise Forbidden(f"the console is for moderators; a {principal.role.value} key cannot sign in")
    moment = now()
    session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at <= moment))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    lifetime = timedelta(seconds=review_settings().console_session_seconds)
    session.add(ConsoleSessionRow(token_hash=_digest(token), key_id=principal.key_id, role=principal.role.value,
                                  csrf_token=csrf, created_at=moment, expires_at=moment + lifetime))
    session.flush()
    return token, ConsoleUser(principal.key_id, principal.role, csrf)


def _key_still_allowed(session: Session, row: ConsoleSessionRow, bootstrap_key: str | None) -> bool:
    if row.key_id == BOOTSTRAP_KEY_ID:
        return bootstrap_key is not None
    key = session.get(ApiKeyRow, row.key_id)
    return key is not None and key.revoked_at is None and Role(key.role) in CONSOLE_ROLES


def resolve(session: Session, token: str | None, bootstrap_key: str | None) -> ConsoleUser:
    """The signed-in user behind a cookie token, or NotAuthenticated."""
    if not token:
        raise NotAuthenticated("sign in to the console")
    row = session.get(ConsoleSessionRow, _digest(token))
    if row is None or aware(row.expires_at) <= now():
        raise NotAuthenticated("the console session expired; sign in again")
    if not _key_still_allowed(session, row, bootstrap_key):
        raise NotAuthenticated("the key behind this session was revoked; sign in again")
    return ConsoleUser(row.key_id, Role(row.role), row.csrf_token)


def check_csrf(user: ConsoleUser, submitted: str | None) -> None:
    """Refuse a form whose token is not this session's (constant-time compare)."""
    if not submitted or not hmac.compare_digest(submitted.encode(), user.csrf_token.encode()):
        raise Forbidden("the form's security token is missing or stale; reload the page and try again")


def sign_out(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == _digest(token)))

