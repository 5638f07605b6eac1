"""Screening request and response schemas."""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, ConfigDict, Field, field_validator

from screening.brands import MoneySpec, no_nul
from screening.errors import ImageRejected
from screening.types import Decision, Listing, Money

MAX_IMAGE_BASE64_CHARS = 14_000_000  # 10 MB of bytes is about 13.4 M base64 characters


class ImageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: str = Field(description="the image bytes (PNG, JPEG or WebP), base64")


class ListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: str = Field(min_length=1, max_length=200)
    seller_id: str | None = Field(default=None, max_length=200)
    title: str = Field(max_length=1000)
    description: str = Field(default="", max_length=20_000)
    price: MoneySpec | None = None
    category: str | None = Field(default=None, max_length=100)
    markets: list[str] = Field(default_factory=list, max_length=300)
    images: list[ImageIn] = Field(default_factory=list, max_length=16)

    @field_validator("listing_id", "seller_id", "category")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        return None if value is None else no_nul(value)

    @field_validator("markets")
    @classmethod
    def _markets(cls, value: list[str]) -> list[str]:
        return [no_nul(market)[:20] for market in value]

    def to_listing(self) -> Listing:
        images = []
        for index, image in enumerate(self.images):
            if len(image.data) > MAX_IMAGE_BASE64_CHARS:
                raise ImageRejected("the image is over the 10 MB limit", index)
            try:
                images.append(base64.b64decode(image.data, validate=True))
            except (binascii.Error, ValueError):
                raise ImageRejected("the data is not valid base64", index) from None
        price = Money(self.price.amount, self.price.currency) if self.price else None
        return Listing(
            listing_id=self.listing_id, title=self.title, description=self.description,
            seller_id=self.seller_id, price=price, category=self.category,
            markets=tuple(self.markets), images=tuple(images),
        )


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listings: list[ListingIn] = Field(min_length=1, max_length=256)


class EvidenceOut(BaseModel):
    signal: str
    score: float
    detail: str
    field: str | None = None
    span: list[int] | None = None
    image_index: int | None = None
    bbox: list[int] | None = None
    mark_id: str | None = None


class MatchOut(BaseModel):
    brand_id: str
    brand: str
    score: float = Field(ge=0, le=1)
    authorized_seller: bool = False
    evidence: list[EvidenceOut]


class FlagOut(BaseModel):
    code: str
    detail: str
    field: str | None = None
    span: list[int] | None = None


class ScreeningOut(BaseModel):
    listing_id: str
    decision: Decision
    risk: float = Field(ge=0, le=1)
    matches: list[MatchOut]
    flags: list[FlagOut]
    review_item_id: str | None
    model_version: str


class BatchOut(BaseModel):
    results: list[ScreeningOut]
