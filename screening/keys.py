"""API keys: creation, hashing and authentication of callers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db.tables import ApiKeyBrandRow, ApiKeyRow, BrandRow
from screening.errors import InvalidInput, NotAuthenticated
from screening.ids import new_id
from screening.types import Role

BOOTSTRAP_KEY_ID = "key_bootstrap_admin"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    key_id: str
    role: Role
    brand_ids: frozenset[str] = field(default_factory=frozenset)

    def can_access_brand(self, brand_id: str) -> bool:
        return self.role is Role.ADMIN or (
            self.role is Role.BRAND_OWNER and brand_id in self.brand_ids
        )


@dataclass(frozen=True)
class CreatedKey:
    id: str
    key: str
    role: Role
    brand_ids: list[str]


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_key(
    session: Session, role: Role, brand_ids: Iterable[str] = (), name: str | None = None
) -> CreatedKey:
    """Create a key; the raw secret is returned once and only its hash is stored."""
    brands = sorted(set(brand_ids))
    if role is Role.BRAND_OWNER and not brands:
        raise InvalidInput("a brand-owner key needs at least one brand id")
    if role is not Role.BRAND_OWNER and brands:
        raise InvalidInput(f"a {role.value} key is not bound to brands; drop brand_ids")
    known = set(session.scalars(select(BrandRow.id).where(BrandRow.id.in_(brands))))
    unknown = [b for b in brands if b not in known]
    if unknown:
        raise InvalidInput(f"unknown brand ids: {', '.join(unknown)}")
    raw = f"sk_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(id=new_id("key"), key_hash=hash_key(raw), role=role.value, name=name)
    session.add(row)
    session.flush()
    session.add_all(ApiKeyBrandRow(key_id=row.id, brand_id=b) for b in brands)
    return CreatedKey(row.id, raw, role, brands)


def bind_brand(session: Session, key_id: str, brand_id: str) -> None:
    session.add(ApiKeyBrandRow(key_id=key_id, brand_id=brand_id))


def authenticate(session: Session, raw: str | None, bootstrap_key: str | None) -> Principal:
    """Resolve a raw key to its principal, or raise NotAuthenticated."""
    if not raw:
        raise NotAuthenticated("send an API key in the X-API-Key header")
    if bootstrap_key and hmac.compare_digest(raw.encode(), bootstrap_key.encode()):
        return Principal(BOOTSTRAP_KEY_ID, Role.ADMIN)
    row = session.scalar(
        select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(raw), ApiKeyRow.revoked_at.is_(None))
    )
    if row is None:
        raise NotAuthenticated("the API key is unknown or revoked")
    brands = frozenset(
        session.scalars(select(ApiKeyBrandRow.brand_id).where(ApiKeyBrandRow.key_id == row.id))
    )
    return Principal(row.id, Role(row.role), brands)
