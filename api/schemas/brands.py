"""Brand and mark schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from screening.brands import BrandPatch, BrandSpec, MoneySpec
from screening.db.tables import BrandRow, MarkRow

BrandCreate = BrandSpec
BrandUpdate = BrandPatch


class BrandPublic(BaseModel):
    id: str
    name: str
    aliases: list[str]
    product_lines: list[str]
    category: str | None
    price_floor: MoneySpec | None
    authorized_sellers: list[str]
    review_threshold: float | None
    block_threshold: float | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: BrandRow) -> BrandPublic:
        floor = (
            MoneySpec(amount=row.price_floor_amount, currency=row.price_floor_currency or "USD")
            if row.price_floor_amount is not None else None
        )
        return cls(
            id=row.id, name=row.name, aliases=list(row.aliases or []),
            product_lines=list(row.product_lines or []), category=row.category,
            price_floor=floor, authorized_sellers=list(row.authorized_sellers or []),
            review_threshold=row.review_threshold, block_threshold=row.block_threshold,
            created_at=row.created_at, updated_at=row.updated_at,
        )


class BrandsPublic(BaseModel):
    items: list[BrandPublic]
    next_cursor: str | None


class MarkPublic(BaseModel):
    id: str
    brand_id: str
    kind: str
    sha256: str
    media_type: str
    filename: str | None
    size_bytes: int
    width: int
    height: int
    created_at: datetime

    @classmethod
    def of(cls, row: MarkRow) -> MarkPublic:
        return cls(
            id=row.id, brand_id=row.brand_id, kind=row.kind, sha256=row.sha256,
            media_type=row.media_type, filename=row.filename, size_bytes=row.size_bytes,
            width=row.width, height=row.height, created_at=row.created_at,
        )


class MarksPublic(BaseModel):
    items: list[MarkPublic]
    next_cursor: str | None


class MatchedListing(BaseModel):
    """A screened listing that matched the brand."""

    screening_id: str
    listing_id: str
    seller_id: str | None
    title: str
    decision: str
    score: float
    created_at: datetime


class MatchedListings(BaseModel):
    items: list[MatchedListing]
    next_cursor: str | None
