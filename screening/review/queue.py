"""The review queue: claim with a lease, renew, release, decide; every step audited.

Claiming is the one place where two moderators race. It runs in its own transaction:
`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite (which
serialises writers), so no item is ever leased to two callers. The order is: overdue
items first, then priority, then the nearest SLA deadline, then age.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from screening.db.engine import SQLITE_BEGIN_OPTION, is_sqlite
from screening.db.tables import ReviewDecisionRow, ReviewItemRow
from screening.errors import Conflict, InvalidInput, NotFound
from screening.paging import page
from screening.review import outcomes
from screening.review.audit import audit
from screening.review.intake import enqueue
from screening.review.model import Kind, Outcome, Reason, Status, aware, now
from screening.review.settings import review_settings

__all__ = [
    "Kind", "Outcome", "Reason", "Status", "claim", "decide", "effective_status", "enqueue", "get_item",
    "held_by", "list_items", "release", "renew", "upcoming",
]

_now = now
_aware = aware


def effective_status(item: ReviewItemRow, moment: datetime | None = None) -> Status:
    """A claim whose lease ran out counts as open again."""
    lease = aware(item.lease_expires_at)
    if item.status == Status.CLAIMED and lease is not None and lease <= (moment or now()):
        return Status.OPEN
    return Status(item.status)


def _claimable(moment: datetime) -> Any:
    return or_(
        ReviewItemRow.status == Status.OPEN.value,
        and_(ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.lease_expires_at <= moment),
    )


def _eligible(moderator_id: str) -> Any:
    """Not excluded (appeals: not the original decider) and not already decided by this moderator."""
    already = exists().where(
        ReviewDecisionRow.item_id == ReviewItemRow.id, ReviewDecisionRow.moderator_id == moderator_id
    )
    return and_(
        or_(ReviewItemRow.excluded_moderator.is_(None), ReviewItemRow.excluded_moderator != moderator_id),
        ~already,
    )


def queue_order(moment: datetime) -> tuple[Any, ...]:
    overdue = case((and_(ReviewItemRow.due_at.is_not(None), ReviewItemRow.due_at <= moment), 0), else_=1)
    return (overdue, ReviewItemRow.priority.desc(), ReviewItemRow.due_at, ReviewItemRow.created_at,
            ReviewItemRow.id)


def expire_leases(session: Session, moment: datetime) -> int:
    """Return items whose lease ran out to the queue, logging an `expire` event for each."""
    query = select(ReviewItemRow).where(
        ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.lease_expires_at <= moment
    ).limit(500)
    if not is_sqlite(session):
        query = query.with_for_update(skip_locked=True)
    expired = list(session.scalars(query))
    for item in expired:
        audit(session, item.id, item.claimed_by, "expire",
              lease_expires_at=aware(item.lease_expires_at).isoformat())  # type: ignore[union-attr]
        item.status, item.claimed_by, item.lease_expires_at = Status.OPEN.value, None, None
    return len(expired)


def claim(
    sessions: sessionmaker[Session], moderator_id: str, lease_seconds: int | None = None
) -> ReviewItemRow | None:
    """Lease the first claimable item to the moderator, or None if none is left for them."""
    lease_seconds = lease_seconds or review_settings().lease_seconds
    with sessions() as session:
        session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        moment = now()
        expire_leases(session, moment)
        query = (
            select(ReviewItemRow)
            .where(_claimable(moment), _eligible(moderator_id))
            .order_by(*queue_order(moment))
            .limit(1)
        )
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True, of=ReviewItemRow)
        item = session.scalar(query)
        if item is None:
            session.commit()  # keep the expiries
            return None
        item.status = Status.CLAIMED.value
        item.claimed_by = moderator_id
        item.lease_expires_at = moment + timedelta(seconds=lease_seconds)
        audit(session, item.id, moderator_id, "claim", lease_seconds=lease_seconds)
        session.commit()
        return item


def get_item(session: Session, item_id: str, *, for_update: bool = False) -> ReviewItemRow:
    item = session.get(ReviewItemRow, item_id, with_for_update=for_update and not is_sqlite(session))
    if item is None:
        raise NotFound(f"no review item {item_id!r}")
    return item


def _held_item(session: Session, item_id: str, moderator_id: str) -> ReviewItemRow:
    item = get_item(session, item_id, for_update=True)
    status = effective_status(item)
    if status is Status.DECIDED:
        raise Conflict(f"review item {item_id} is already decided")
    if status is Status.OPEN:
        raise Conflict(f"review item {item_id} is not claimed (or its lease expired); claim it first")
    if item.claimed_by != moderator_id:
        raise Conflict(f"review item {item_id} is held by another moderator")
    return item


def renew(session: Session, item_id: str, moderator_id: str, lease_seconds: int | None = None) -> ReviewItemRow:
    """Extend the caller's lease from now; 409 if the caller does not hold the item."""
    settings = review_settings()
    seconds = lease_seconds or settings.lease_seconds
    if not 10 <= seconds <= settings.max_lease_seconds:
        raise InvalidInput(f"lease_seconds must be between 10 and {settings.max_lease_seconds}")
    item = _held_item(session, item_id, moderator_id)
    item.lease_expires_at = now() + timedelta(seconds=seconds)
    audit(session, item.id, moderator_id, "renew", lease_seconds=seconds)
    session.flush()
    return item


def release(session: Session, item_id: str, moderator_id: str) -> ReviewItemRow:
    """Hand a held item back to the queue undecided."""
    item = _held_item(session, item_id, moderator_id)
    item.status, item.claimed_by, item.lease_expires_at = Status.OPEN.value, None, None
    audit(session, item.id, moderator_id, "release")
    session.flush()
    return item


def decide(
    session: Session, item_id: str, moderator_id: str, outcome: str, reason: str, note: str | None
) -> ReviewItemRow:
    """Record the holder's decision; refuses (409) an item the caller does not hold.

    A double-reviewed item goes back to the queue after its first decision (for a different
    moderator); the second decision closes it, as `escalate` when the two disagree.
    """
    try:
        outcome_value, reason_value = Outcome(outcome), Reason(reason)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    item = _held_item(session, item_id, moderator_id)
    moment = now()
    previous = list(session.scalars(
        select(ReviewDecisionRow).where(ReviewDecisionRow.item_id == item.id).order_by(ReviewDecisionRow.id)
    ))
    session.add(ReviewDecisionRow(item_id=item.id, moderator_id=moderator_id, outcome=outcome_value.value,
                                  reason=reason_value.value, note=note, at=moment))
    outcomes.record_labels(session, item, moderator_id, outcome_value, reason_value)
    round_number = len(previous) + 1
    audit(session, item.id, moderator_id, "decide", outcome=outcome_value.value, reason=reason_value.value,
          review=round_number, of=item.required_reviews)
    if round_number < item.required_reviews:
        item.status, item.claimed_by, item.lease_expires_at = Status.OPEN.value, None, None
        session.flush()
        return item
    final_outcome, final_reason = outcome_value, reason_value
    if previous and any(p.outcome != outcome_value.value for p in previous):
        final_outcome, final_reason = Outcome.ESCALATE, Reason.OTHER
        note = f"double review disagreed ({previous[-1].outcome} vs {outcome_value.value}); {note or ''}".strip()
    item.status = Status.DECIDED.value
    item.outcome, item.reason, item.note = final_outcome.value, final_reason.value, note
    item.decided_by, item.decided_at, item.lease_expires_at = moderator_id, moment, None
    session.flush()
    outcomes.apply(session, item)
    session.flush()
    return item


def count_decisions(session: Session, item_id: str) -> int:
    return int(session.scalar(
        select(func.count(ReviewDecisionRow.id)).where(ReviewDecisionRow.item_id == item_id)
    ) or 0)


def list_items(
    session: Session, status: Status | None, limit: int, cursor: str | None, kind: Kind | None = None
) -> tuple[list[ReviewItemRow], str | None]:
    query = select(ReviewItemRow).order_by(ReviewItemRow.id)
    moment = now()
    if status is Status.OPEN:
        query = query.where(_claimable(moment))
    elif status is Status.CLAIMED:
        query = query.where(ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.lease_expires_at > moment)
    elif status is Status.DECIDED:
        query = query.where(ReviewItemRow.status == Status.DECIDED.value)
    if kind is not None:
        query = query.where(ReviewItemRow.kind == kind.value)
    if cursor:
        query = query.where(ReviewItemRow.id > cursor)
    return page(list(session.scalars(query.limit(limit + 1))), limit)


def upcoming(session: Session, limit: int = 10) -> list[ReviewItemRow]:
    """The next claimable items in claim order (what the queue will hand out next)."""
    moment = now()
    return list(session.scalars(
        select(ReviewItemRow).where(_claimable(moment)).order_by(*queue_order(moment)).limit(limit)
    ))


def held_by(session: Session, moderator_id: str) -> list[ReviewItemRow]:
    """Items the moderator holds under a live lease, the soonest to expire first."""
    return list(session.scalars(
        select(ReviewItemRow).where(
            ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.claimed_by == moderator_id,
            ReviewItemRow.lease_expires_at > now(),
        ).order_by(ReviewItemRow.lease_expires_at)
    ))
