"""Putting work into the queue: screened listings (grouped), appeals and escalations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from screening.db.tables import ReviewItemRow, ReviewMemberRow
from screening.ids import new_id
from screening.review import grouping, priority
from screening.review.audit import audit
from screening.review.model import Kind, Status, now, sampled
from screening.review.settings import ReviewSettings, review_settings
from screening.storage import MarkStore

if TYPE_CHECKING:
    from screening.settings import Settings
    from screening.types import Listing, ScreeningResult


def review_image_store(settings: Settings) -> MarkStore:
    """Where listing photos of review items are kept (content-addressed, beside the marks)."""
    return MarkStore(settings.data_dir / "review_images")


def appeal_material(listing: Listing, settings: Settings) -> dict[str, Any]:
    """What an appeal of an automatic block will show the moderator: the description and photos.

    Photos go to the same content-addressed store as review photos (written before the
    screening commits; a rolled-back screening leaves at most an unreferenced file).
    """
    images: list[dict[str, Any]] = []
    if listing.images and review_settings().keep_blocked_photos:
        images = grouping.store_images(listing.images, review_image_store(settings),
                                       settings.max_image_bytes, settings.max_image_pixels)
    return {"description": listing.description, "images": images}


def new_item(
    session: Session, *, kind: Kind, screening_id: str, listing_id: str, risk: float, brand_id: str | None,
    seller_id: str | None, brand_ids: Sequence[str] = (), excluded_moderator: str | None = None,
    origin_item_id: str | None = None, context: dict[str, Any] | None = None, boost: float = 1.0,
    settings: ReviewSettings | None = None,
) -> ReviewItemRow:
    """Create an item with its priority factors, SLA deadline and double-review draw."""
    settings = settings or review_settings()
    made = priority.factors(session, risk=risk, brand_ids=brand_ids or ([brand_id] if brand_id else []),
                            seller_id=seller_id, kind=kind, settings=settings)
    created = now()
    item_id = new_id("rvw")
    item = ReviewItemRow(
        id=item_id, screening_id=screening_id, listing_id=listing_id, status=Status.OPEN.value,
        priority=round(made.priority * boost, 6), kind=kind.value, brand_id=brand_id, seller_id=seller_id,
        risk=risk, factors=made.as_dict(), created_at=created, due_at=priority.due_at(created, made),
        required_reviews=2 if kind is Kind.SCREENING and sampled(item_id, settings.double_review_share) else 1,
        excluded_moderator=excluded_moderator, origin_item_id=origin_item_id, context=context or {},
    )
    session.add(item)
    session.flush()
    audit(session, item.id, None, "enqueue", kind=kind.value, priority=item.priority,
          due_at=item.due_at.isoformat() if item.due_at else None, required_reviews=item.required_reviews)
    return item


def add_member(session: Session, item: ReviewItemRow, **fields: Any) -> ReviewMemberRow:
    member = ReviewMemberRow(item_id=item.id, **fields)
    session.add(member)
    session.flush()
    return member


def enqueue(
    session: Session, screening_id: str, listing_id: str, base_priority: float, *,
    listing: Listing | None = None, result: ScreeningResult | None = None, settings: Settings | None = None,
) -> ReviewItemRow:
    """Queue a listing the screener sent to review, joining an open group when one matches.

    Without `listing` and `result` (older callers) the item gets `base_priority` as its risk.
    """
    review = review_settings()
    matches = list(result.matches) if result is not None else []
    brand_id = matches[0].brand_id if matches else None
    risk = result.risk if result is not None else base_priority
    seller_id = listing.seller_id if listing is not None else None
    title = listing.title if listing is not None else ""
    images: list[dict[str, Any]] = []
    if listing is not None and listing.images and settings is not None:
        images = grouping.store_images(listing.images, review_image_store(settings),
                                       settings.max_image_bytes, settings.max_image_pixels)
    key = grouping.title_key(brand_id, title) if listing is not None else None
    member_fields = dict(
        screening_id=screening_id, listing_id=listing_id, seller_id=seller_id, title=title,
        description=listing.description if listing is not None else "", title_key=key, images=images,
    )
    group, via = grouping.find_group(session, key, images, review.image_group_distance, review.group_scan_limit)
    if group is not None:
        add_member(session, group, **member_fields)
        if risk > group.risk:  # the riskiest member sets the group's priority
            made = priority.factors(session, risk=risk, brand_ids=[m.brand_id for m in matches],
                                    seller_id=seller_id, kind=Kind.SCREENING, settings=review)
            group.risk, group.priority, group.factors = risk, made.priority, made.as_dict()
        audit(session, group.id, None, "group", listing_id=listing_id, screening_id=screening_id,
              via=via)
        session.flush()
        return group
    item = new_item(session, kind=Kind.SCREENING, screening_id=screening_id, listing_id=listing_id, risk=risk,
                    brand_id=brand_id, seller_id=seller_id, brand_ids=[m.brand_id for m in matches],
                    settings=review)
    item.group_key = key
    add_member(session, item, **member_fields)
    return item
