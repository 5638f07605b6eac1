"""Queue health and quality: depth, oldest age, SLA, throughput, overturns, agreement."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from screening.db.tables import ReviewDecisionRow, ReviewItemRow
from screening.review.model import Kind, Status, aware, now


@dataclass(frozen=True)
class QueueStats:
    depth: int
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _agreement(session: Session) -> tuple[int, int]:
    """(items reviewed twice, of which the two outcomes agreed)."""
    rows = session.execute(
        select(ReviewDecisionRow.item_id, ReviewDecisionRow.outcome)
        .join(ReviewItemRow, ReviewItemRow.id == ReviewDecisionRow.item_id)
        .where(ReviewItemRow.required_reviews >= 2, ReviewItemRow.status == Status.DECIDED.value)
        .order_by(ReviewDecisionRow.item_id, ReviewDecisionRow.id)
    ).all()
    outcomes: dict[str, list[str]] = defaultdict(list)
    for item_id, outcome in rows:
        outcomes[item_id].append(outcome)
    pairs = [o for o in outcomes.values() if len(o) >= 2]
    return len(pairs), sum(1 for o in pairs if o[0] == o[1])


def _appeals(session: Session) -> tuple[int, int]:
    """(appeals with a final verdict, of which overturned), escalations followed."""
    decided = session.scalars(
        select(ReviewItemRow).where(
            ReviewItemRow.status == Status.DECIDED.value,
            or_(ReviewItemRow.kind == Kind.APPEAL.value, ReviewItemRow.kind == Kind.ESCALATION.value),
        )
    ).all()
    verdicts = [str(i.context.get("appeal_outcome")) for i in decided if i.context.get("appeal_outcome")]
    return len(verdicts), sum(1 for v in verdicts if v == "overturned")


def queue_stats(session: Session, moment: datetime | None = None) -> QueueStats:
    moment = moment or now()
    pending = ReviewItemRow.status != Status.DECIDED.value
    live_claim = and_(ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.lease_expires_at > moment)
    by_kind = dict(session.execute(
        select(ReviewItemRow.kind, func.count(ReviewItemRow.id)).where(pending, ~live_claim)
        .group_by(ReviewItemRow.kind)
    ).all())
    claimed = session.scalar(select(func.count(ReviewItemRow.id)).where(live_claim)) or 0
    oldest = aware(session.scalar(select(func.min(ReviewItemRow.created_at)).where(pending)))
    overdue = session.scalar(
        select(func.count(ReviewItemRow.id)).where(pending, ReviewItemRow.due_at <= moment)
    ) or 0
    next_due = aware(session.scalar(select(func.min(ReviewItemRow.due_at)).where(pending)))
    hourly = session.scalar(
        select(func.count(ReviewDecisionRow.id)).where(ReviewDecisionRow.at >= moment - timedelta(hours=1))
    ) or 0
    appeals, overturned = _appeals(session)
    doubled, agreed = _agreement(session)
    return QueueStats(
        depth=sum(int(v) for v in by_kind.values()), claimed=int(claimed),
        depth_by_kind={str(k): int(v) for k, v in by_kind.items()},
        oldest_age_seconds=round((moment - oldest).total_seconds(), 1) if oldest else 0.0,
        overdue=int(overdue), next_due_at=next_due, decisions_last_hour=int(hourly),
        appeals_decided=appeals, appeals_overturned=overturned,
        overturn_rate=round(overturned / appeals, 4) if appeals else None,
        double_reviewed=doubled, double_review_agreements=agreed,
        agreement_rate=round(agreed / doubled, 4) if doubled else None,
    )
