"""Review queue and appeal schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from screening.review.model import Kind, Outcome, Reason, Status


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    reason: Reason
    note: str | None = Field(default=None, max_length=5000)
    reference_photos: list[str] = Field(
        default_factory=list, max_length=16,
        description="sha256 of listing photos to add to the brand's reference marks (infringing only)",
    )


class LeaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lease_seconds: int | None = Field(default=None, ge=10, description="defaults to the configured lease")


class ImageOut(BaseModel):
    sha256: str
    width: int
    height: int
    index: int | None = None


class MemberOut(BaseModel):
    listing_id: str
    screening_id: str
    seller_id: str | None
    title: str
    images: list[ImageOut]


class ReviewItemOut(BaseModel):
    id: str
    status: Status
    kind: Kind = Kind.SCREENING
    listing_id: str
    priority: float
    risk: float = 0.0
    brand_id: str | None = None
    seller_id: str | None = None
    factors: dict[str, Any] = Field(default_factory=dict, description="what the priority was made of")
    due_at: datetime | None = Field(default=None, description="SLA deadline")
    overdue: bool = False
    required_reviews: int = 1
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    outcome: Outcome | None = None
    reason: Reason | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    created_at: datetime
    origin_item_id: str | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    members: list[MemberOut] = Field(default_factory=list, description="listings decided together")
    reference_marks: list[str] = Field(default_factory=list, description="marks added from this item's photos")
    screening: dict[str, object] | None = Field(
        default=None, description="the stored screening result that sent the listing here"
    )


class ReviewItemsOut(BaseModel):
    items: list[ReviewItemOut]
    next_cursor: str | None


class ReviewStatsOut(BaseModel):
    depth: int = Field(description="items waiting to be claimed")
    claimed: int
    depth_by_kind: dict[str, int]
    oldest_age_seconds: float
    overdue: int
    next_due_at: datetime | None
    decisions_last_hour: int
    appeals_decided: int
    appeals_overturned: int
    overturn_rate: float | None
    double_reviewed: int
    double_review_agreements: int
    agreement_rate: float | None


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: str = Field(min_length=1, max_length=200)
    seller_id: str | None = Field(default=None, max_length=200)
    statement: str = Field(min_length=1, max_length=5000, description="the seller's case")


class AppealOut(BaseModel):
    id: str
    listing_id: str
    status: str = Field(description="pending | upheld | overturned")
    review_item_id: str
    decided_by: str | None
    created_at: datetime
