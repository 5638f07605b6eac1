"""What a moderator sees for one review item: each listing with its evidence drawn on it,
beside the matched brands and their reference marks.

Pure data (no web code): the console renders it, tests inspect it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from screening.db.tables import MarkRow, ReviewEventRow, ReviewItemRow, ScreeningRow
from screening.review import evidence as layout
from screening.review.audit import events
from screening.review.outcomes import members

MARKS_PER_BRAND = 3
EVENTS_SHOWN = 12


@dataclass(frozen=True)
class PhotoView:
    sha256: str
    index: int
    width: int
    height: int
    boxes: list[layout.Box]


@dataclass(frozen=True)
class ListingView:
    listing_id: str
    seller_id: str | None
    screening_id: str
    decision: str
    risk: float
    title: list[layout.Segment]
    description: list[layout.Segment]
    photos: list[PhotoView]


@dataclass(frozen=True)
class EvidenceLine:
    signal: str
    detail: str
    score: float
    where: str


@dataclass(frozen=True)
class MarkView:
    id: str
    kind: str
    width: int
    height: int
    matched: bool


@dataclass(frozen=True)
class BrandView:
    brand_id: str
    name: str
    score: float
    authorized_seller: bool
    evidence: list[EvidenceLine]
    marks: list[MarkView]


@dataclass(frozen=True)
class Workspace:
    item: ReviewItemRow
    listings: list[ListingView]
    brands: list[BrandView]
    flags: list[dict[str, Any]]
    events: list[ReviewEventRow] = field(default_factory=list)


def _where(item: dict[str, Any], texts: dict[str, str]) -> str:
    span, where = item.get("span"), str(item.get("field") or "")
    if where and isinstance(span, list | tuple) and len(span) == 2:
        quoted = texts.get(where, "")[int(span[0]):int(span[1])]
        return f"{where} “{quoted}”" if quoted else where
    if item.get("image_index") is not None:
        return f"photo {int(item['image_index']) + 1}"
    return where


def _marks(session: Session, brand_id: str, matched: list[str]) -> list[MarkView]:
    """The marks the evidence matched, then the brand's other marks (logos first)."""
    kind_order = case((MarkRow.kind == "logo", 0), (MarkRow.kind == "wordmark_image", 1), else_=2)
    rows = list(session.scalars(select(MarkRow).where(MarkRow.brand_id == brand_id, MarkRow.id.in_(matched))))
    rows.sort(key=lambda r: matched.index(r.id))
    if len(rows) < MARKS_PER_BRAND:
        rows += list(session.scalars(
            select(MarkRow).where(MarkRow.brand_id == brand_id, MarkRow.id.not_in(matched))
            .order_by(kind_order, MarkRow.created_at).limit(MARKS_PER_BRAND - len(rows))
        ))
    return [MarkView(r.id, r.kind, r.width, r.height, r.id in matched) for r in rows[:MARKS_PER_BRAND]]


def _listing(session: Session, member: Any) -> ListingView:
    screening = session.get(ScreeningRow, member.screening_id)
    result: dict[str, Any] = dict(screening.result) if screening is not None else {}
    photos = [
        PhotoView(str(i["sha256"]), int(i.get("index", n)), int(i["width"]), int(i["height"]),
                  layout.boxes(result, int(i.get("index", n)), int(i["width"]), int(i["height"])))
        for n, i in enumerate(member.images or [])
    ]
    return ListingView(
        listing_id=member.listing_id, seller_id=member.seller_id, screening_id=member.screening_id,
        decision=screening.decision if screening is not None else "", risk=float(result.get("risk", 0.0)),
        title=layout.highlight(member.title, result, "title"),
        description=layout.highlight(member.description or "", result, "description"), photos=photos,
    )


def build(session: Session, item: ReviewItemRow) -> Workspace:
    """Lay out an item for the console."""
    listed = members(session, item.id)
    primary = session.get(ScreeningRow, item.screening_id)
    result: dict[str, Any] = dict(primary.result) if primary is not None else {}
    lead = next((m for m in listed if m.screening_id == item.screening_id), None)
    texts = {"title": lead.title if lead else "", "description": (lead.description or "") if lead else ""}
    matched = layout.matched_marks(result)
    brands = []
    for match in result.get("matches", []):
        lines = sorted(
            (EvidenceLine(str(e.get("signal", "")), str(e.get("detail", "")), float(e.get("score", 0.0)),
                          _where(e, texts)) for e in match.get("evidence", [])),
            key=lambda line: -line.score,
        )
        brand_id = str(match.get("brand_id", ""))
        brands.append(BrandView(brand_id, str(match.get("brand", "")), float(match.get("score", 0.0)),
                                bool(match.get("authorized_seller", False)), lines,
                                _marks(session, brand_id, matched)))
    flags = [dict(f, where=str(f.get("field") or "")) for f in result.get("flags", [])]  # detail quotes it
    return Workspace(item=item, listings=[_listing(session, m) for m in listed], brands=brands, flags=flags,
                     events=events(session, item.id)[-EVENTS_SHOWN:])


def photo_media_type(data: bytes) -> str:
    """The media type of a stored listing photo, from its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
