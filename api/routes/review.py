"""Review queue routes (moderators)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from api.deps import CursorQuery, LimitQuery, ModeratorDep, ServiceDep, SessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.review import DecisionIn, ReviewItemOut, ReviewItemsOut
from screening.db.tables import ReviewItemRow, ScreeningRow
from screening.review import queue
from screening.review.queue import Status

router = APIRouter(prefix="/v1/review", tags=["review"], responses=PROBLEM_RESPONSES)


def item_out(item: ReviewItemRow, screening: ScreeningRow | None = None) -> ReviewItemOut:
    return ReviewItemOut(
        id=item.id, status=queue.effective_status(item), listing_id=item.listing_id,
        priority=item.priority, claimed_by=item.claimed_by, lease_expires_at=item.lease_expires_at,
        outcome=item.outcome, reason=item.reason, note=item.note, decided_by=item.decided_by,
        decided_at=item.decided_at, created_at=item.created_at,
        screening=dict(screening.result) if screening is not None else None,
    )


@router.post(
    "/claim", response_model=ReviewItemOut,
    responses={204: {"description": "the queue is empty"}},
)
def claim(principal: ModeratorDep, service: ServiceDep) -> ReviewItemOut | Response:
    """Lease the highest-priority open item to the caller."""
    item = queue.claim(service.sessions, principal.key_id, service.settings.review_lease_seconds)
    if item is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    with service.sessions() as session:
        return item_out(item, session.get(ScreeningRow, item.screening_id))


@router.post("/{item_id}/decision", response_model=ReviewItemOut)
def decide(
    item_id: str, body: DecisionIn, principal: ModeratorDep, session: SessionDep
) -> ReviewItemOut:
    """Decide an item the caller holds; 409 if it does not hold it."""
    item = queue.decide(
        session, item_id, principal.key_id, body.outcome.value, body.reason.value, body.note
    )
    return item_out(item)


@router.get("/items", response_model=ReviewItemsOut)
def list_items(
    _: ModeratorDep,
    session: SessionDep,
    status_filter: Status | None = Query(default=None, alias="status"),
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> ReviewItemsOut:
    rows, next_cursor = queue.list_items(session, status_filter, limit, cursor)
    return ReviewItemsOut(items=[item_out(r) for r in rows], next_cursor=next_cursor)
