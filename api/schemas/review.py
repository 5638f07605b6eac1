"""Review queue and appeal schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from screening.review.model import Kind, Outcome, Reason, Status


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(description="infringing, not_infringing, or escalate (to another moderator)")
    reason: Reason = Field(description="required reason code")
    note: str | None = Field(default=None, max_length=5000, description="free text for the audit log")
    reference_photos: list[str] = Field(
        default_factory=list, max_length=16,
        description="sha256 of listing photos to add to the brand's reference marks (infringing only)",
    )


class LeaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lease_seconds: int | None = Field(default=None, ge=10, description="defaults to the configured lease")


class ImageOut(BaseModel):
    sha256: str = Field(description="content address; fetch it from GET /v1/review/photos/{sha256}")
    width: int = Field(description="pixels")
    height: int = Field(description="pixels")
    index: int | None = Field(default=None, description="position of the photo in the listing's images")


class MemberOut(BaseModel):
    listing_id: str = Field(description="the listing flow's id of the listing")
    screening_id: str = Field(description="the stored screening result of this listing")
    seller_id: str | None = Field(description="the listing's seller, if given")
    title: str = Field(description="the listing's title as screened")
    images: list[ImageOut] = Field(description="the listing's photos kept for review")


class ReviewItemOut(BaseModel):
    id: str = Field(description="the review item's id")
    status: Status = Field(description="open (an expired lease counts as open), claimed, or decided")
    kind: Kind = Field(default=Kind.SCREENING, description="screening, appeal, or escalation")
    listing_id: str = Field(description="the first listing of the item")
    priority: float = Field(description="higher is served first (after overdue items)")
    risk: float = Field(default=0.0, description="the screening risk in [0, 1]")
    brand_id: str | None = Field(default=None, description="the strongest matched brand")
    seller_id: str | None = Field(default=None, description="the first listing's seller")
    factors: dict[str, Any] = Field(default_factory=dict, description="what the priority was made of")
    due_at: datetime | None = Field(default=None, description="SLA deadline")
    overdue: bool = Field(default=False, description="undecided past its SLA deadline")
    required_reviews: int = Field(default=1, description="2 for items drawn for double review")
    claimed_by: str | None = Field(default=None, description="key id of the moderator holding it")
    lease_expires_at: datetime | None = Field(default=None, description="when the holder's lease runs out")
    outcome: Outcome | None = Field(default=None, description="the final outcome, once decided")
    reason: Reason | None = Field(default=None, description="the final reason code, once decided")
    note: str | None = Field(default=None, description="the deciding moderator's note")
    decided_by: str | None = Field(default=None, description="key id of the deciding moderator")
    decided_at: datetime | None = Field(default=None, description="when the final decision was made")
    created_at: datetime = Field(description="when the item entered the queue")
    origin_item_id: str | None = Field(default=None, description="the item an appeal or escalation came from")
    context: dict[str, Any] = Field(default_factory=dict, description="appeal statement, escalation note, verdict")
    members: list[MemberOut] = Field(default_factory=list, description="listings decided together")
    reference_marks: list[str] = Field(default_factory=list, description="marks added from this item's photos")
    screening: dict[str, object] | None = Field(
        default=None, description="the stored screening result that sent the listing here"
    )


class ReviewItemsOut(BaseModel):
    items: list[ReviewItemOut] = Field(description="one page of items")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class ReviewStatsOut(BaseModel):
    depth: int = Field(description="items waiting to be claimed")
    claimed: int = Field(description="items under a live lease")
    depth_by_kind: dict[str, int] = Field(description="waiting items per kind")
    oldest_age_seconds: float = Field(description="age of the oldest undecided item")
    overdue: int = Field(description="undecided items past their SLA deadline")
    next_due_at: datetime | None = Field(description="the nearest SLA deadline of an undecided item")
    decisions_last_hour: int = Field(description="moderator decisions in the last hour")
    appeals_decided: int = Field(description="appeals with a final verdict")
    appeals_overturned: int = Field(description="appeals whose block was lifted")
    overturn_rate: float | None = Field(description="appeals_overturned / appeals_decided; null before any")
    double_reviewed: int = Field(description="items decided by two moderators")
    double_review_agreements: int = Field(description="of those, items where both moderators agreed")
    agreement_rate: float | None = Field(description="agreements / double_reviewed; null before any")


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: str = Field(min_length=1, max_length=200, description="the blocked listing")
    seller_id: str | None = Field(default=None, max_length=200, description="the appealing seller (checked)")
    statement: str = Field(min_length=1, max_length=5000, description="the seller's case")


class AppealOut(BaseModel):
    id: str = Field(description="the appeal's id (also its review item's id)")
    listing_id: str = Field(description="the appealed listing")
    status: str = Field(description="pending | upheld | overturned")
    review_item_id: str = Field(description="the review item a moderator decides")
    decided_by: str | None = Field(description="key id of the moderator who gave the verdict")
    created_at: datetime = Field(description="when the appeal was filed")
