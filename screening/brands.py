"""Brands and their reference marks: validation, scoping by caller, catalogue snapshots."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.db.tables import BrandRow, MarkRow
from screening.errors import Forbidden, InvalidInput, NotFound
from screening.ids import new_id
from screening.keys import Principal, bind_brand
from screening.paging import page
from screening.types import BrandProfile, Catalogue, Money, Role


class MoneySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: float = Field(ge=0, le=1e9, description="amount in the currency's main unit")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code, e.g. USD")

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        if not value.isalpha():
            raise ValueError("currency must be a three-letter ISO 4217 code")
        return value.upper()


def no_nul(value: str) -> str:
    """Refuse U+0000, which no database text column can store."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (U+0000)")
    return value


def _clean_terms(values: list[str], what: str) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        stripped = " ".join(no_nul(value).split())
        if not stripped:
            raise ValueError(f"{what} must not be blank")
        if len(stripped) > 200:
            raise ValueError(f"each of {what} is at most 200 characters")
        seen.setdefault(stripped.casefold(), stripped)
    return list(seen.values())


class BrandPatch(BaseModel):
    """Fields a brand owner may change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, description="the brand's name")
    aliases: list[str] | None = Field(
        default=None, max_length=500, description="other names, codes and names in other scripts"
    )
    product_lines: list[str] | None = Field(
        default=None, max_length=500, description="product-line names that point to the brand"
    )
    category: str | None = Field(default=None, max_length=100, description="main product category")
    price_floor: MoneySpec | None = Field(
        default=None, description="the lowest price a genuine product sells for"
    )
    authorized_sellers: list[str] | None = Field(
        default=None, max_length=10_000, description="seller ids never blocked for this brand"
    )
    review_threshold: float | None = Field(
        default=None, ge=0, le=1, description="score from which a listing goes to review (default from settings)"
    )
    block_threshold: float | None = Field(
        default=None, ge=0, le=1, description="score from which a listing is blocked (default from settings)"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = " ".join(no_nul(value).split())
        if not cleaned:
            raise ValueError("name must not be blank")
        return cleaned

    @field_validator("aliases", "product_lines", "authorized_sellers")
    @classmethod
    def _terms(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _clean_terms(value, "the list's entries")


class BrandSpec(BrandPatch):
    """A new brand; only `name` is required."""

    name: str = Field(min_length=1, max_length=200, description="the brand's name")


def to_profile(row: BrandRow) -> BrandProfile:
    floor = (
        Money(row.price_floor_amount, row.price_floor_currency or "USD")
        if row.price_floor_amount is not None
        else None
    )
    return BrandProfile(
        id=row.id,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        product_lines=tuple(row.product_lines or ()),
        category=row.category,
        price_floor=floor,
        authorized_sellers=frozenset(row.authorized_sellers or ()),
        review_threshold=row.review_threshold,
        block_threshold=row.block_threshold,
    )


def _apply(row: BrandRow, patch: BrandPatch) -> None:
    fields = patch.model_fields_set
    for name in ("name", "aliases", "product_lines", "category", "authorized_sellers"):
        if name in fields:
            value = getattr(patch, name)
            setattr(row, name, value if value is not None or name == "category" else [])
    if "price_floor" in fields:
        row.price_floor_amount = patch.price_floor.amount if patch.price_floor else None
        row.price_floor_currency = patch.price_floor.currency if patch.price_floor else None
    for name in ("review_threshold", "block_threshold"):
        if name in fields:
            setattr(row, name, getattr(patch, name))
    review = row.review_threshold
    block = row.block_threshold
    if review is not None and block is not None and block < review:
        raise InvalidInput("block_threshold must be at least review_threshold")


def create_brand(session: Session, spec: BrandSpec, principal: Principal) -> BrandRow:
    if principal.role not in (Role.ADMIN, Role.BRAND_OWNER):
        raise Forbidden("only brand owners and admins create brands")
    row = BrandRow(id=new_id("brd"), name=spec.name, aliases=[], product_lines=[],
                   authorized_sellers=[])
    _apply(row, spec)
    session.add(row)
    session.flush()
    if principal.role is Role.BRAND_OWNER:
        bind_brand(session, principal.key_id, row.id)
    return row


def get_brand(session: Session, brand_id: str, principal: Principal) -> BrandRow:
    """The brand, if the caller may see it; 404 otherwise (never revealing it exists)."""
    if principal.role not in (Role.ADMIN, Role.BRAND_OWNER):
        raise Forbidden("only brand owners and admins manage brands")
    row = session.get(BrandRow, brand_id)
    if row is None or not principal.can_access_brand(brand_id):
        raise NotFound(f"no brand {brand_id!r} visible to this key")
    return row


def update_brand(
    session: Session, brand_id: str, patch: BrandPatch, principal: Principal
) -> BrandRow:
    row = get_brand(session, brand_id, principal)
    _apply(row, patch)
    row.updated_at = datetime.now(row.created_at.tzinfo)
    session.flush()
    return row


def list_brands(
    session: Session, principal: Principal, limit: int, cursor: str | None
) -> tuple[list[BrandRow], str | None]:
    if principal.role not in (Role.ADMIN, Role.BRAND_OWNER):
        raise Forbidden("only brand owners and admins manage brands")
    query = select(BrandRow).order_by(BrandRow.id)
    if principal.role is Role.BRAND_OWNER:
        query = query.where(BrandRow.id.in_(sorted(principal.brand_ids)))
    if cursor:
        query = query.where(BrandRow.id > cursor)
    rows = list(session.scalars(query.limit(limit + 1)))
    return page(rows, limit)


def list_marks(
    session: Session, brand_id: str, principal: Principal, limit: int, cursor: str | None
) -> tuple[list[MarkRow], str | None]:
    get_brand(session, brand_id, principal)
    query = select(MarkRow).where(MarkRow.brand_id == brand_id).order_by(MarkRow.id)
    if cursor:
        query = query.where(MarkRow.id > cursor)
    return page(list(session.scalars(query.limit(limit + 1))), limit)


def get_mark(session: Session, brand_id: str, mark_id: str, principal: Principal) -> MarkRow:
    get_brand(session, brand_id, principal)
    mark = session.get(MarkRow, mark_id)
    if mark is None or mark.brand_id != brand_id:
        raise NotFound(f"no mark {mark_id!r} on brand {brand_id!r}")
    return mark


_CATALOGUE_VERSIONS = itertools.count(1)


class CatalogueCache:
    """Serves catalogue snapshots, reloading only when the brands table changed.

    Versions are unique in the process, so signals may cache compiled lexicons by version
    even when several services (tests, CLI) share one signal object.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[int, str] | None = None
        self._catalogue = Catalogue({}, 0)

    def get(self, session: Session) -> Catalogue:
        count, latest = session.execute(
            select(func.count(BrandRow.id), func.max(BrandRow.updated_at))
        ).one()
        stamp = (int(count), str(latest))
        with self._lock:
            if stamp == self._stamp:
                return self._catalogue
        rows: Sequence[BrandRow] = session.scalars(select(BrandRow)).all()
        with self._lock:
            self._catalogue = Catalogue(
                {row.id: to_profile(row) for row in rows}, next(_CATALOGUE_VERSIONS)
            )
            self._stamp = stamp
            return self._catalogue
