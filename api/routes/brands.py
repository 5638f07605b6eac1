"""Brands, their marks and the listings matched to them (brand owners, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from sqlalchemy import select

from api.deps import (
    BrandIdPath,
    BrandManagerDep,
    CursorQuery,
    LimitQuery,
    MarkIdPath,
    ServiceDep,
    SessionDep,
    WriteSessionDep,
)
from api.schemas.brands import (
    BrandCreate,
    BrandPublic,
    BrandsPublic,
    BrandUpdate,
    MarkPublic,
    MarksPublic,
    MatchedListing,
    MatchedListings,
)
from api.schemas.common import PROBLEM_RESPONSES
from screening import brands as brand_service
from screening import marks as mark_service
from screening.brands import to_profile
from screening.db.tables import ScreeningBrandRow, ScreeningRow
from screening.errors import PayloadTooLarge
from screening.types import MarkKind

router = APIRouter(prefix="/v1/brands", tags=["brands"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BrandPublic)
def create_brand(
    body: BrandCreate, principal: BrandManagerDep, session: WriteSessionDep, service: ServiceDep
) -> BrandPublic:
    """Register a brand; a brand owner's key is bound to the new brand."""
    row = brand_service.create_brand(session, body, principal)
    for indexer in service.brand_indexers:
        indexer.on_brand_changed(session, service.index, to_profile(row))
    return BrandPublic.of(row)


@router.get("", response_model=BrandsPublic)
def list_brands(
    principal: BrandManagerDep, session: SessionDep, limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> BrandsPublic:
    """The brands this key may see."""
    rows, next_cursor = brand_service.list_brands(session, principal, limit, cursor)
    return BrandsPublic(items=[BrandPublic.of(r) for r in rows], next_cursor=next_cursor)


@router.get("/{brand_id}", response_model=BrandPublic)
def get_brand(brand_id: BrandIdPath, principal: BrandManagerDep, session: SessionDep) -> BrandPublic:
    """One brand, if this key may see it."""
    return BrandPublic.of(brand_service.get_brand(session, brand_id, principal))


@router.patch("/{brand_id}", response_model=BrandPublic)
def update_brand(
    brand_id: BrandIdPath, body: BrandUpdate, principal: BrandManagerDep, session: WriteSessionDep,
    service: ServiceDep,
) -> BrandPublic:
    """Change some fields of a brand; absent fields stay as they are."""
    row = brand_service.update_brand(session, brand_id, body, principal)
    for indexer in service.brand_indexers:
        indexer.on_brand_changed(session, service.index, to_profile(row))
    return BrandPublic.of(row)


@router.post("/{brand_id}/marks", status_code=status.HTTP_201_CREATED, response_model=MarkPublic)
async def add_mark(
    brand_id: BrandIdPath,
    principal: BrandManagerDep,
    session: WriteSessionDep,
    service: ServiceDep,
    file: Annotated[UploadFile, File(description="PNG, JPEG, WebP, or SVG; at most 10 MB")],
    kind: Annotated[MarkKind, Form(description="what the file shows")] = MarkKind.LOGO,
) -> MarkPublic:
    """Upload a reference mark; it is searchable by the next screening call."""
    limit = service.settings.max_mark_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the mark file is over the {limit:,}-byte limit")
    row = mark_service.add_mark(
        session, brand_id=brand_id, kind=kind.value, data=data, filename=file.filename,
        principal=principal, settings=service.settings, store=service.store,
        index=service.index, indexers=service.mark_indexers,
    )
    return MarkPublic.of(row)


@router.get("/{brand_id}/marks", response_model=MarksPublic)
def list_marks(
    brand_id: BrandIdPath, principal: BrandManagerDep, session: SessionDep, limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> MarksPublic:
    """The brand's reference marks, oldest first."""
    rows, next_cursor = brand_service.list_marks(session, brand_id, principal, limit, cursor)
    return MarksPublic(items=[MarkPublic.of(r) for r in rows], next_cursor=next_cursor)


@router.delete("/{brand_id}/marks/{mark_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_mark(
    brand_id: BrandIdPath, mark_id: MarkIdPath, principal: BrandManagerDep, session: WriteSessionDep,
    service: ServiceDep,
) -> Response:
    """Remove a reference mark; it stops matching at once."""
    mark_service.delete_mark(session, brand_id, mark_id, principal, service.index)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{brand_id}/listings", response_model=MatchedListings)
def matched_listings(
    brand_id: BrandIdPath, principal: BrandManagerDep, session: SessionDep, limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> MatchedListings:
    """Screened listings that matched this brand, newest screening ids last."""
    brand_service.get_brand(session, brand_id, principal)
    query = (
        select(ScreeningRow, ScreeningBrandRow.score)
        .join(ScreeningBrandRow, ScreeningBrandRow.screening_id == ScreeningRow.id)
        .where(ScreeningBrandRow.brand_id == brand_id)
        .order_by(ScreeningRow.id)
    )
    if cursor:
        query = query.where(ScreeningRow.id > cursor)
    rows = session.execute(query.limit(limit + 1)).all()
    items = [
        MatchedListing(
            screening_id=row.id, listing_id=row.listing_id, seller_id=row.seller_id,
            title=row.title, decision=row.decision, score=score, created_at=row.created_at,
        )
        for row, score in rows[:limit]
    ]
    return MatchedListings(items=items, next_cursor=items[-1].screening_id if len(rows) > limit else None)
