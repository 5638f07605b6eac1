"""Review queue schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from screening.review.queue import Outcome, Reason, Status


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    reason: Reason
    note: str | None = Field(default=None, max_length=5000)


class ReviewItemOut(BaseModel):
    id: str
    status: Status
    listing_id: str
    priority: float
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    outcome: Outcome | None = None
    reason: Reason | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    created_at: datetime
    screening: dict[str, object] | None = Field(
        default=None, description="the stored screening result that sent the listing here"
    )


class ReviewItemsOut(BaseModel):
    items: list[ReviewItemOut]
    next_cursor: str | None
