"""Feedback from confirmed infringements: the listing's photos become reference marks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from screening.db.tables import MarkRow, ReviewItemRow
from screening.errors import Conflict, InvalidInput
from screening.index.brand_index import BrandIndex
from screening.keys import Principal
from screening.marks import add_mark
from screening.review.audit import audit
from screening.review.model import Outcome
from screening.review.outcomes import members
from screening.settings import Settings
from screening.signals.base import MarkIndexer
from screening.storage import MarkStore
from screening.types import MarkKind, Role


def item_photos(session: Session, item_id: str) -> dict[str, str]:
    """sha256 -> listing id of every stored photo of the item's listings."""
    return {image["sha256"]: member.listing_id
            for member in members(session, item_id) for image in member.images or []}


def add_reference_photos(
    session: Session, item: ReviewItemRow, shas: Sequence[str], moderator_id: str, *, settings: Settings,
    photos: MarkStore, marks: MarkStore, index: BrandIndex, indexers: Sequence[MarkIndexer],
) -> list[MarkRow]:
    """Add confirmed-infringing listing photos to the brand's reference marks as product photos."""
    if not shas:
        return []
    if item.outcome != Outcome.INFRINGING.value:
        raise Conflict("only photos of listings decided infringing can become reference marks")
    if item.brand_id is None:
        raise InvalidInput("the item matched no brand; there is no brand to add reference photos to")
    known = item_photos(session, item.id)
    unknown = [sha for sha in shas if sha not in known]
    if unknown:
        raise InvalidInput(f"not photos of this item's listings: {', '.join(unknown[:5])}")
    # The moderator acts for the service here; brand scoping does not apply to moderators.
    service_principal = Principal(moderator_id, Role.ADMIN)
    added = []
    for sha in dict.fromkeys(shas):
        row = add_mark(session, brand_id=item.brand_id, kind=MarkKind.PRODUCT_PHOTO.value, data=photos.read(sha),
                       filename=f"review-{item.id}-{sha[:12]}", principal=service_principal, settings=settings,
                       store=marks, index=index, indexers=indexers)
        added.append(row)
    audit(session, item.id, moderator_id, "feedback", reference_marks=[m.id for m in added], brand_id=item.brand_id)
    return added
