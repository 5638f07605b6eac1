"""Appeals (listing flow, for a seller): contest a block; a different moderator decides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import ListingFlowDep, PrincipalDep, SessionDep, WriteSessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.review import AppealIn, AppealOut
from screening.errors import Forbidden
from screening.review import appeals
from screening.review.model import aware
from screening.types import Role

router = APIRouter(prefix="/v1/appeals", tags=["appeals"], responses=PROBLEM_RESPONSES)


def _out(state: appeals.AppealState) -> AppealOut:
    item = state.item
    return AppealOut(id=item.id, listing_id=item.listing_id, status=state.status, review_item_id=item.id,
                     decided_by=state.decided_by, created_at=aware(item.created_at))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AppealOut,
             responses={409: {"description": "the listing is not blocked, or already under appeal"}})
def file_appeal(body: AppealIn, principal: ListingFlowDep, session: WriteSessionDep) -> AppealOut:
    """Appeal a blocked listing; it goes to the review queue for a moderator other than the one who blocked it."""
    item = appeals.file_appeal(session, body.listing_id, body.seller_id, body.statement, principal.key_id)
    return _out(appeals.AppealState(item, "pending", None))


@router.get("/{appeal_id}", response_model=AppealOut)
def get_appeal(
    appeal_id: Annotated[str, Path(max_length=40, description="the appeal's id")], principal: PrincipalDep,
    session: SessionDep,
) -> AppealOut:
    """Where an appeal stands: pending, upheld (still blocked) or overturned (now allowed)."""
    if principal.role not in (Role.LISTING_FLOW, Role.MODERATOR, Role.ADMIN):
        raise Forbidden("appeals are visible to the listing flow and moderators")
    return _out(appeals.appeal_state(session, appeal_id))
