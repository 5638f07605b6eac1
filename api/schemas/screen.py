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

    listing_id: str = Field(min_length=1, max_length=200, description="the marketplace's listing id")
    seller_id: str | None = Field(default=None, max_length=200, description="checked against authorized sellers")
    title: str = Field(max_length=1000, description="the listing title as the seller wrote it")
    description: str = Field(default="", max_length=20_000, description="the listing description")
    price: MoneySpec | None = Field(default=None, description="compared with the brand's price floor")
    category: str | None = Field(default=None, max_length=100, description="marketplace category, e.g. bags")
    markets: list[str] = Field(default_factory=list, max_length=300, description="market codes, e.g. US, DE")
    images: list[ImageIn] = Field(
        default_factory=list, max_length=16, description="up to 16 photos of at most 10 MB and 40 megapixels"
    )

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

    listings: list[ListingIn] = Field(min_length=1, max_length=256, description="1 to 256 listings")


class EvidenceOut(BaseModel):
    signal: str = Field(description="text, logo, ocr, near_duplicate or price")
    score: float = Field(ge=0, le=1, description="this signal's confidence for the brand")
    detail: str = Field(description="why, in words a moderator can check")
    field: str | None = Field(default=None, description="title or description, for text evidence")
    span: list[int] | None = Field(default=None, description="[start, end) character offsets into the field")
    image_index: int | None = Field(default=None, description="which listing image, for image evidence")
    bbox: list[int] | None = Field(default=None, description="[x0, y0, x1, y1] pixels in that image")
    mark_id: str | None = Field(default=None, description="the matched reference mark")


class MatchOut(BaseModel):
    brand_id: str = Field(description="the matched brand's id")
    brand: str = Field(description="the brand's name")
    score: float = Field(ge=0, le=1, description="fused probability that the listing infringes this brand")
    authorized_seller: bool = Field(default=False, description="the seller is authorized for this brand")
    evidence: list[EvidenceOut] = Field(description="strongest first")


class FlagOut(BaseModel):
    code: str = Field(description="e.g. counterfeit_phrase")
    detail: str = Field(description="what was seen, quoted")
    field: str | None = Field(default=None, description="title or description")
    span: list[int] | None = Field(default=None, description="[start, end) character offsets into the field")


class ScreeningOut(BaseModel):
    listing_id: str = Field(description="the listing id as sent")
    decision: Decision = Field(description="allow, review or block")
    risk: float = Field(ge=0, le=1, description="the strongest match score that counts toward the decision")
    matches: list[MatchOut] = Field(description="every brand with any evidence, highest score first")
    flags: list[FlagOut] = Field(description="listing-level observations")
    review_item_id: str | None = Field(description="the review item created when the decision is review")
    model_version: str = Field(description="the pipeline and model versions that made this result")


class BatchOut(BaseModel):
    results: list[ScreeningOut] = Field(description="one result per listing, in the order sent")
