"""Domain types shared by every stage of screening: listings, brands, evidence, decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np


class Decision(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


class SignalName(StrEnum):
    TEXT = "text"
    LOGO = "logo"
    OCR = "ocr"
    NEAR_DUPLICATE = "near_duplicate"
    PRICE = "price"


class Role(StrEnum):
    LISTING_FLOW = "listing-flow"
    MODERATOR = "moderator"
    BRAND_OWNER = "brand-owner"
    ADMIN = "admin"


class MarkKind(StrEnum):
    LOGO = "logo"
    PRODUCT_PHOTO = "product_photo"
    WORDMARK_IMAGE = "wordmark_image"


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str


@dataclass(frozen=True)
class Listing:
    """A listing as the listing flow submits it, images still encoded."""

    listing_id: str
    title: str
    description: str = ""
    seller_id: str | None = None
    price: Money | None = None
    category: str | None = None
    markets: tuple[str, ...] = ()
    images: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class DecodedImage:
    """A listing image decoded safely: RGB pixels (H, W, 3, uint8) and its index in the listing."""

    index: int
    rgb: np.ndarray
    sha256: str


@dataclass(frozen=True)
class BrandProfile:
    """What signals and the policy know about a brand."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    product_lines: tuple[str, ...] = ()
    category: str | None = None
    price_floor: Money | None = None
    authorized_sellers: frozenset[str] = frozenset()
    review_threshold: float | None = None
    block_threshold: float | None = None


@dataclass(frozen=True)
class Catalogue:
    """An immutable snapshot of the brand catalogue; `version` changes whenever a brand does."""

    brands: Mapping[str, BrandProfile]
    version: int = 0

    def get(self, brand_id: str) -> BrandProfile | None:
        return self.brands.get(brand_id)


@dataclass(frozen=True)
class Evidence:
    """One reason to believe a listing shows a brand.

    `score` is the signal's probability that the brand is present and used as a brand
    (not a common word or a compatibility mention). Text evidence carries `field` and
    `span` (character offsets into the original field); image evidence carries
    `image_index`, `bbox` (x0, y0, x1, y1 in pixels) and the matched `mark_id`.
    """

    signal: str
    brand_id: str
    score: float
    detail: str
    field: str | None = None
    span: tuple[int, int] | None = None
    image_index: int | None = None
    bbox: tuple[int, int, int, int] | None = None
    mark_id: str | None = None


@dataclass(frozen=True)
class Flag:
    """A listing-level observation that is not tied to one brand (e.g. a counterfeit phrase)."""

    code: str
    detail: str
    field: str | None = None
    span: tuple[int, int] | None = None


@dataclass
class SignalOutput:
    evidence: list[Evidence] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


@dataclass(frozen=True)
class ScreeningInput:
    """Everything a signal may look at for one listing."""

    listing: Listing
    images: Sequence[DecodedImage]
    catalogue: Catalogue


@runtime_checkable
class Signal(Protocol):
    """A pluggable source of evidence. Implementations must be thread-safe for reads."""

    name: str
    version: str

    def evaluate(self, item: ScreeningInput) -> SignalOutput: ...


@dataclass(frozen=True)
class Match:
    brand_id: str
    brand: str
    score: float
    evidence: tuple[Evidence, ...]
    authorized_seller: bool = False


@dataclass(frozen=True)
class ScreeningResult:
    listing_id: str
    decision: Decision
    risk: float
    matches: tuple[Match, ...]
    flags: tuple[Flag, ...]
    model_version: str
    review_item_id: str | None = None
