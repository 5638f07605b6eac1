"""Screening routes (listing flow)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ListingFlowDep, ScreenerDep, WriteSessionDep
from api.metrics import record_decision
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.screen import BatchIn, BatchOut, ListingIn, ScreeningOut
from screening.errors import ScreeningError

router = APIRouter(prefix="/v1", tags=["screening"], responses=PROBLEM_RESPONSES)


@router.post("/screen", response_model=ScreeningOut)
def screen(
    body: ListingIn, _: ListingFlowDep, screener: ScreenerDep, session: WriteSessionDep
) -> ScreeningOut:
    """Screen one listing before it is published; the same content returns the same result."""
    result = ScreeningOut.model_validate(screener.screen(session, body.to_listing()))
    record_decision(result.decision.value)
    return result


@router.post("/screen:batch", response_model=BatchOut)
def screen_batch(
    body: BatchIn, _: ListingFlowDep, screener: ScreenerDep, session: WriteSessionDep
) -> BatchOut:
    """Screen up to 256 listings at once; one bad listing rejects the batch and stores nothing."""
    results = []
    for position, item in enumerate(body.listings):
        try:
            results.append(ScreeningOut.model_validate(screener.screen(session, item.to_listing())))
            record_decision(results[-1].decision.value)
        except ScreeningError as exc:
            exc.detail = f"listings[{position}]: {exc.detail}"
            raise
    return BatchOut(results=results)
