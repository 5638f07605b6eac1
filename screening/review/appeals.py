"""Appeals: a seller contests a block; a different moderator decides; the outcome sticks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db.tables import ReviewItemRow, ReviewMemberRow, ScreeningRow
from screening.errors import Conflict, NotFound
from screening.review.audit import audit
from screening.review.intake import add_member, new_item
from screening.review.model import Kind, Status
from screening.review.outcomes import members


@dataclass(frozen=True)
class AppealState:
    item: ReviewItemRow
    status: str  # pending | upheld | overturned
    decided_by: str | None


def _latest_screening(session: Session, listing_id: str) -> ScreeningRow | None:
    return session.scalar(
        select(ScreeningRow).where(ScreeningRow.listing_id == listing_id)
        .order_by(ScreeningRow.created_at.desc(), ScreeningRow.id.desc()).limit(1)
    )


def _blocking_item(session: Session, screening_id: str) -> ReviewItemRow | None:
    """The latest decided item that blocked this screening, if a moderator did."""
    return session.scalar(
        select(ReviewItemRow).join(ReviewMemberRow, ReviewMemberRow.item_id == ReviewItemRow.id)
        .where(ReviewMemberRow.screening_id == screening_id, ReviewItemRow.status == Status.DECIDED.value,
               ReviewItemRow.outcome == "infringing")
        .order_by(ReviewItemRow.decided_at.desc()).limit(1)
    )


def file_appeal(
    session: Session, listing_id: str, seller_id: str | None, statement: str, filed_by: str
) -> ReviewItemRow:
    """Open an appeal item for a blocked listing; 409 if it is not blocked or already under appeal."""
    screening = _latest_screening(session, listing_id)
    if screening is None:
        raise NotFound(f"no screened listing {listing_id!r}")
    if screening.decision != "block":
        raise Conflict(f"listing {listing_id!r} is not blocked (decision {screening.decision!r}); nothing to appeal")
    if seller_id is not None and screening.seller_id is not None and seller_id != screening.seller_id:
        raise Conflict(f"listing {listing_id!r} belongs to another seller")
    pending = session.scalar(
        select(ReviewItemRow.id).where(ReviewItemRow.listing_id == listing_id, ReviewItemRow.kind == Kind.APPEAL.value,
                                       ReviewItemRow.status != Status.DECIDED.value)
    )
    if pending is not None:
        raise Conflict(f"listing {listing_id!r} already has a pending appeal ({pending})")
    blocker = _blocking_item(session, screening.id)
    brand_id = blocker.brand_id if blocker else next(
        (m.get("brand_id") for m in screening.result.get("matches", [])), None
    )
    item = new_item(
        session, kind=Kind.APPEAL, screening_id=screening.id, listing_id=listing_id, risk=screening.risk,
        brand_id=brand_id, seller_id=screening.seller_id,
        excluded_moderator=blocker.decided_by if blocker else None,
        origin_item_id=blocker.id if blocker else None,
        context={"statement": statement, "filed_by": filed_by, "blocked_by": blocker.decided_by if blocker else None},
    )
    earlier = members(session, blocker.id) if blocker else []
    source = next((m for m in earlier if m.screening_id == screening.id), None)
    kept = screening.appeal_material or {}  # automatic blocks keep their description and photos
    add_member(session, item, screening_id=screening.id, listing_id=listing_id, seller_id=screening.seller_id,
               title=source.title if source else screening.title,
               description=source.description if source else str(kept.get("description") or ""),
               title_key=None, images=source.images if source else list(kept.get("images") or []))
    audit(session, item.id, filed_by, "appeal", listing_id=listing_id, against=blocker.id if blocker else "automatic")
    return item


def appeal_state(session: Session, appeal_id: str) -> AppealState:
    """Where an appeal stands, following escalations to their final decision."""
    item = session.get(ReviewItemRow, appeal_id)
    if item is None or item.kind != Kind.APPEAL.value:
        raise NotFound(f"no appeal {appeal_id!r}")
    current = item
    for _ in range(20):  # escalation chains are short; bound the walk anyway
        if current.status != Status.DECIDED.value:
            return AppealState(item, "pending", None)
        verdict = current.context.get("appeal_outcome")
        if verdict:
            return AppealState(item, str(verdict), current.decided_by)
        follow_up = session.scalar(select(ReviewItemRow).where(ReviewItemRow.origin_item_id == current.id,
                                                               ReviewItemRow.kind == Kind.ESCALATION.value))
        if follow_up is None:
            break
        current = follow_up
    return AppealState(item, "pending", None)
