"""Brand and mark schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from screening.brands import BrandPatch, BrandSpec, MoneySpec
from screening.db.tables import BrandRow, MarkRow

BrandCreate = BrandSpec
BrandUpdate = BrandPatch


class BrandPublic(BaseModel):
    """A brand as its owner registered it."""

    id: str = Field(description="the brand's id")
    name: str = Field(description="the brand's name")
    aliases: list[str] = Field(description="other names, codes and names in other scripts")
    product_lines: list[str] = Field(description="product-line names")
    category: str | None = Field(description="main product category")
    price_floor: MoneySpec | None = Field(description="the lowest price a genuine product sells for")
    authorized_sellers: list[str] = Field(description="seller ids never blocked for this brand")
    review_threshold: float | None = Field(description="the brand's review threshold, if it sets one")
    block_threshold: float | None = Field(description="the brand's block threshold, if it sets one")
    created_at: datetime = Field(description="when the brand was registered (UTC)")
    updated_at: datetime = Field(description="when the brand last changed (UTC)")

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
    """A page of brands."""

    items: list[BrandPublic] = Field(description="this page")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class MarkPublic(BaseModel):
    """A stored reference mark."""

    id: str = Field(description="the mark's id")
    brand_id: str = Field(description="the brand it belongs to")
    kind: str = Field(description="logo, product_photo or wordmark_image")
    sha256: str = Field(description="digest of the file as uploaded (files are stored by it)")
    media_type: str = Field(description="image/png, image/jpeg, image/webp or image/svg+xml")
    filename: str | None = Field(description="the uploaded file's name")
    size_bytes: int = Field(description="size of the uploaded file")
    width: int = Field(description="pixel width as decoded (SVG: as rendered)")
    height: int = Field(description="pixel height as decoded (SVG: as rendered)")
    created_at: datetime = Field(description="when the mark was added (UTC)")

    @classmethod
    def of(cls, row: MarkRow) -> MarkPublic:
        return cls(
            id=row.id, brand_id=row.brand_id, kind=row.kind, sha256=row.sha256,
            media_type=row.media_type, filename=row.filename, size_bytes=row.size_bytes,
            width=row.width, height=row.height, created_at=row.created_at,
        )


class MarksPublic(BaseModel):
    """A page of reference marks."""

    items: list[MarkPublic] = Field(description="this page")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class MatchedListing(BaseModel):
    """A screened listing that matched the brand."""

    screening_id: str = Field(description="the stored screening result")
    listing_id: str = Field(description="the marketplace's listing id")
    seller_id: str | None = Field(description="the seller, when the listing flow sent one")
    title: str = Field(description="the listing title")
    decision: str = Field(description="allow, review or block")
    score: float = Field(description="this brand's fused match score")
    created_at: datetime = Field(description="when the listing was screened (UTC)")


class MatchedListings(BaseModel):
    """A page of matched listings."""

    items: list[MatchedListing] = Field(description="this page")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")
