"""The review queue: enqueue, claim with a lease, decide; every step audited.

Claiming is the one place where two moderators race. It runs in its own transaction:
`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite (which
serialises writers), so no item is ever leased to two callers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from screening.db.engine import SQLITE_BEGIN_OPTION, is_sqlite
from screening.db.tables import ReviewEventRow, ReviewItemRow
from screening.errors import Conflict, InvalidInput, NotFound
from screening.ids import new_id
from screening.paging import page


class Outcome(StrEnum):
    INFRINGING = "infringing"
    NOT_INFRINGING = "not_infringing"
    ESCALATE = "escalate"


class Reason(StrEnum):
    COUNTERFEIT = "counterfeit"
    TRADEMARK_MISUSE = "trademark_misuse"
    AUTHORIZED_SELLER = "authorized_seller"
    GENERIC_USE = "generic_use"
    OTHER = "other"


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DECIDED = "decided"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def audit(session: Session, item_id: str, actor: str | None, action: str, **detail: Any) -> None:
    session.add(ReviewEventRow(item_id=item_id, actor=actor, action=action, detail=detail))


def enqueue(session: Session, screening_id: str, listing_id: str, priority: float) -> ReviewItemRow:
    item = ReviewItemRow(
        id=new_id("rvw"), screening_id=screening_id, listing_id=listing_id,
        status=Status.OPEN.value, priority=round(priority, 6),
    )
    session.add(item)
    session.flush()
    audit(session, item.id, None, "enqueue", priority=item.priority)
    return item


def effective_status(item: ReviewItemRow, now: datetime | None = None) -> Status:
    """A claim whose lease ran out counts as open again."""
    lease = _aware(item.lease_expires_at)
    if item.status == Status.CLAIMED and lease is not None and lease <= (now or _now()):
        return Status.OPEN
    return Status(item.status)


def _claimable(now: datetime) -> Any:
    return or_(
        ReviewItemRow.status == Status.OPEN.value,
        and_(ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.lease_expires_at <= now),
    )


def claim(
    sessions: sessionmaker[Session], moderator_id: str, lease_seconds: int
) -> ReviewItemRow | None:
    """Lease the highest-priority claimable item to the moderator, or None if none is left."""
    with sessions() as session:
        session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        now = _now()
        query = (
            select(ReviewItemRow)
            .where(_claimable(now))
            .order_by(ReviewItemRow.priority.desc(), ReviewItemRow.created_at, ReviewItemRow.id)
            .limit(1)
        )
        if not is_sqlite(session):
            query = query.with_for_update(skip_locked=True)
        item = session.scalar(query)
        if item is None:
            session.rollback()
            return None
        if item.status == Status.CLAIMED.value:
            audit(session, item.id, item.claimed_by, "expire")
        item.status = Status.CLAIMED.value
        item.claimed_by = moderator_id
        item.lease_expires_at = now + timedelta(seconds=lease_seconds)
        audit(session, item.id, moderator_id, "claim", lease_seconds=lease_seconds)
        session.commit()
        return item


def _held_item(session: Session, item_id: str, moderator_id: str) -> ReviewItemRow:
    item = session.get(ReviewItemRow, item_id, with_for_update=not is_sqlite(session))
    if item is None:
        raise NotFound(f"no review item {item_id!r}")
    status = effective_status(item)
    if status is Status.DECIDED:
        raise Conflict(f"review item {item_id} is already decided")
    if status is Status.OPEN:
        raise Conflict(f"review item {item_id} is not claimed (or its lease expired); claim it first")
    if item.claimed_by != moderator_id:
        raise Conflict(f"review item {item_id} is held by another moderator")
    return item


def decide(
    session: Session, item_id: str, moderator_id: str, outcome: str, reason: str, note: str | None
) -> ReviewItemRow:
    """Record the holder's decision; refuses (409) an item the caller does not hold."""
    try:
        outcome_value, reason_value = Outcome(outcome), Reason(reason)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    item = _held_item(session, item_id, moderator_id)
    item.status = Status.DECIDED.value
    item.outcome = outcome_value.value
    item.reason = reason_value.value
    item.note = note
    item.decided_by = moderator_id
    item.decided_at = _now()
    item.lease_expires_at = None
    audit(session, item.id, moderator_id, "decide", outcome=item.outcome, reason=item.reason)
    session.flush()
    return item


def list_items(
    session: Session, status: Status | None, limit: int, cursor: str | None
) -> tuple[list[ReviewItemRow], str | None]:
    query = select(ReviewItemRow).order_by(ReviewItemRow.id)
    now = _now()
    if status is Status.OPEN:
        query = query.where(_claimable(now))
    elif status is Status.CLAIMED:
        query = query.where(
            ReviewItemRow.status == Status.CLAIMED.value, ReviewItemRow.lease_expires_at > now
        )
    elif status is Status.DECIDED:
        query = query.where(ReviewItemRow.status == Status.DECIDED.value)
    if cursor:
        query = query.where(ReviewItemRow.id > cursor)
    return page(list(session.scalars(query.limit(limit + 1))), limit)
