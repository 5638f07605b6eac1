"""Priority by risk and exposure, and the SLA an item must be decided within.

priority = risk x brand weight x (1 + strike weight x min(strikes, cap))

`strikes` counts the seller's blocked listings (automatic blocks and moderator-confirmed
infringements). Age enters through the SLA: the queue serves overdue items first, then by
priority, then by the nearest deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.db.tables import BrandRow, ScreeningRow
from screening.review.model import Kind
from screening.review.settings import ReviewSettings


@dataclass(frozen=True)
class Factors:
    """What an item's priority was made of (shown to moderators)."""

    risk: float
    brand_weight: float
    seller_strikes: int
    priority: float
    sla_seconds: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def brand_weight(session: Session, brand_ids: Iterable[str]) -> float:
    ids = list(brand_ids)
    if not ids:
        return 1.0
    weights = session.scalars(select(BrandRow.weight).where(BrandRow.id.in_(ids))).all()
    return max([w if w is not None else 1.0 for w in weights] or [1.0])


def seller_strikes(session: Session, seller_id: str | None) -> int:
    if not seller_id:
        return 0
    count = session.scalar(
        select(func.count(ScreeningRow.id)).where(
            ScreeningRow.seller_id == seller_id, ScreeningRow.decision == "block"
        )
    )
    return int(count or 0)


def sla_seconds(kind: Kind, risk: float, settings: ReviewSettings) -> int:
    if kind is Kind.APPEAL:
        return settings.appeal_sla_seconds
    if kind is Kind.ESCALATION or risk >= settings.urgent_risk:
        return settings.urgent_sla_seconds
    return settings.sla_seconds


def factors(
    session: Session, *, risk: float, brand_ids: Iterable[str], seller_id: str | None, kind: Kind,
    settings: ReviewSettings,
) -> Factors:
    weight = brand_weight(session, brand_ids)
    strikes = seller_strikes(session, seller_id)
    counted = min(strikes, settings.max_seller_strikes)
    priority = risk * weight * (1.0 + settings.seller_strike_weight * counted)
    return Factors(round(risk, 4), round(weight, 4), strikes, round(priority, 6),
                   sla_seconds(kind, risk, settings))


def due_at(created: datetime, factors: Factors) -> datetime:
    return created + timedelta(seconds=factors.sla_seconds)
