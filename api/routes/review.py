"""Review queue routes (moderators): claim, renew, release, decide, list, stats, audit export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import StreamingResponse
from prometheus_client import Gauge
from sqlalchemy.orm import Session

from api.deps import CursorQuery, LimitQuery, ModeratorDep, ServiceDep, SessionDep, WriteSessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.review import (
    DecisionIn,
    ImageOut,
    LeaseIn,
    MemberOut,
    ReviewItemOut,
    ReviewItemsOut,
    ReviewStatsOut,
)
from screening.db.tables import ReviewItemRow, ScreeningRow
from screening.errors import InvalidInput, NotFound
from screening.review import audit, feedback, queue, stats
from screening.review.intake import review_image_store
from screening.review.model import Kind, Outcome, Reason, Status, aware, now
from screening.review.outcomes import members
from screening.review.workspace import photo_media_type
from screening.service import Service

ItemIdPath = Annotated[str, Path(max_length=40, description="the review item's id")]
Sha256Path = Annotated[str, Path(max_length=64, description="sha256 of the photo, from members[].images[].sha256")]

router = APIRouter(prefix="/v1/review", tags=["review"], responses=PROBLEM_RESPONSES)

QUEUE_DEPTH = Gauge("screening_review_queue_depth", "Review items waiting to be claimed")
OLDEST_AGE = Gauge("screening_review_oldest_age_seconds", "Age of the oldest undecided review item")
OVERDUE = Gauge("screening_review_overdue", "Undecided review items past their SLA")
DECISIONS_HOUR = Gauge("screening_review_decisions_last_hour", "Moderator decisions in the last hour")
OVERTURN_RATE = Gauge("screening_review_appeal_overturn_rate", "Share of decided appeals overturned")
AGREEMENT_RATE = Gauge("screening_review_agreement_rate", "Agreement between moderators on double reviews")


def refresh_metrics(service: Service) -> None:
    """Update the review gauges (called when /metrics is scraped)."""
    with service.sessions() as session:
        current = stats.queue_stats(session)
    QUEUE_DEPTH.set(current.depth)
    OLDEST_AGE.set(current.oldest_age_seconds)
    OVERDUE.set(current.overdue)
    DECISIONS_HOUR.set(current.decisions_last_hour)
    OVERTURN_RATE.set(current.overturn_rate or 0.0)
    AGREEMENT_RATE.set(current.agreement_rate or 0.0)


def item_out(session: Session, item: ReviewItemRow, with_screening: bool = False) -> ReviewItemOut:
    due = aware(item.due_at)
    screening = session.get(ScreeningRow, item.screening_id) if with_screening else None
    return ReviewItemOut(
        id=item.id, status=queue.effective_status(item), kind=Kind(item.kind or Kind.SCREENING.value),
        listing_id=item.listing_id, priority=item.priority, risk=item.risk or 0.0, brand_id=item.brand_id,
        seller_id=item.seller_id, factors=dict(item.factors or {}), due_at=due,
        overdue=bool(due and due <= now() and item.status != Status.DECIDED.value),
        required_reviews=item.required_reviews or 1, claimed_by=item.claimed_by,
        lease_expires_at=aware(item.lease_expires_at), outcome=Outcome(item.outcome) if item.outcome else None,
        reason=Reason(item.reason) if item.reason else None, note=item.note,
        decided_by=item.decided_by, decided_at=aware(item.decided_at), created_at=aware(item.created_at),
        origin_item_id=item.origin_item_id, context=dict(item.context or {}),
        members=[
            MemberOut(listing_id=m.listing_id, screening_id=m.screening_id, seller_id=m.seller_id, title=m.title,
                      images=[ImageOut(sha256=i["sha256"], width=i["width"], height=i["height"],
                                       index=i.get("index")) for i in m.images or []])
            for m in members(session, item.id)
        ],
        screening=dict(screening.result) if screening is not None else None,
    )


@router.post(
    "/claim", response_model=ReviewItemOut,
    responses={204: {"description": "nothing left for this moderator"}},
)
def claim(principal: ModeratorDep, service: ServiceDep) -> ReviewItemOut | Response:
    """Lease the next item (overdue first, then highest priority) to the caller."""
    item = queue.claim(service.sessions, principal.key_id, service.settings.review_lease_seconds)
    if item is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    with service.sessions() as session:
        return item_out(session, item, with_screening=True)


@router.post("/{item_id}/decision", response_model=ReviewItemOut)
def decide(
    item_id: ItemIdPath, body: DecisionIn, principal: ModeratorDep, session: WriteSessionDep, service: ServiceDep
) -> ReviewItemOut:
    """Decide an item the caller holds (409 otherwise); the decision applies to every grouped listing."""
    item = queue.decide(session, item_id, principal.key_id, body.outcome.value, body.reason.value, body.note)
    marks = feedback.add_reference_photos(
        session, item, body.reference_photos, principal.key_id, settings=service.settings,
        photos=review_image_store(service.settings), marks=service.store, index=service.index,
        indexers=service.mark_indexers,
    ) if body.reference_photos else []
    out = item_out(session, item)
    out.reference_marks = [m.id for m in marks]
    return out


@router.post("/{item_id}/lease", response_model=ReviewItemOut)
def renew(
    item_id: ItemIdPath, principal: ModeratorDep, session: WriteSessionDep, body: LeaseIn | None = None
) -> ReviewItemOut:
    """Renew the caller's lease; 409 if the caller does not hold the item."""
    item = queue.renew(session, item_id, principal.key_id, body.lease_seconds if body else None)
    return item_out(session, item)


@router.post("/{item_id}/release", response_model=ReviewItemOut)
def release(item_id: ItemIdPath, principal: ModeratorDep, session: WriteSessionDep) -> ReviewItemOut:
    """Give a held item back to the queue undecided."""
    return item_out(session, queue.release(session, item_id, principal.key_id))


@router.get("/items", response_model=ReviewItemsOut)
def list_items(
    _: ModeratorDep,
    session: SessionDep,
    status_filter: Status | None = Query(default=None, alias="status",
                                         description="open (includes expired leases), claimed or decided"),
    kind: Kind | None = Query(default=None, description="screening, appeal or escalation"),
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> ReviewItemsOut:
    """Items, oldest id first, paged; each carries its SLA deadline and, once decided, its outcome."""
    rows, next_cursor = queue.list_items(session, status_filter, limit, cursor, kind)
    return ReviewItemsOut(items=[item_out(session, r) for r in rows], next_cursor=next_cursor)


@router.get("/items/{item_id}", response_model=ReviewItemOut)
def get_item(item_id: ItemIdPath, _: ModeratorDep, session: SessionDep) -> ReviewItemOut:
    """One item with its listings, photos and the screening result that sent it here."""
    return item_out(session, queue.get_item(session, item_id), with_screening=True)


@router.get("/photos/{sha256}", response_class=Response,
            responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}},
                             "description": "a listing photo kept for review (see members[].images)"}})
def photo(sha256: Sha256Path, _: ModeratorDep, service: ServiceDep) -> Response:
    """A stored listing photo of a review item, by the sha256 given in the item's members."""
    store = review_image_store(service.settings)
    try:
        found = store.exists(sha256)
    except ValueError:
        raise InvalidInput("sha256 must be 64 lower-case hex digits") from None
    if not found:
        raise NotFound(f"no stored listing photo {sha256}")
    data = store.read(sha256)
    return Response(data, media_type=photo_media_type(data), headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


@router.get("/stats", response_model=ReviewStatsOut)
def queue_stats(_: ModeratorDep, session: SessionDep) -> ReviewStatsOut:
    """Queue depth, oldest age, SLA, decisions per hour, appeal overturn rate, moderator agreement."""
    return ReviewStatsOut(**stats.queue_stats(session).as_dict())


@router.get("/audit.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "the audit log as CSV"}})
def export_audit(
    _: ModeratorDep, service: ServiceDep,
    since: datetime | None = Query(default=None, description="only events at or after this time (ISO 8601)"),
    until: datetime | None = Query(default=None, description="only events before this time (ISO 8601)"),
    item_id: str | None = Query(default=None, max_length=40, description="only this item's events"),
) -> StreamingResponse:
    """Every claim, release, renewal, expiry and decision, oldest first."""

    def lines() -> object:
        with service.sessions() as session:
            yield from audit.export_csv(session, since, until, item_id)

    return StreamingResponse(lines(), media_type="text/csv",  # type: ignore[arg-type]
                             headers={"Content-Disposition": 'attachment; filename="review-audit.csv"'})
