"""Reference marks: safe decoding, content-addressed storage, indexing by every mark signal."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from screening.brands import get_brand, get_mark, to_profile
from screening.db.tables import MarkRow
from screening.errors import InvalidInput
from screening.ids import new_id
from screening.image.decode import SVG_MEDIA_TYPE, decode_image, sanitize_svg
from screening.index.brand_index import BrandIndex
from screening.keys import Principal
from screening.settings import Settings
from screening.signals.base import MarkIndexer
from screening.storage import MarkStore
from screening.types import MarkKind


def add_mark(
    session: Session,
    *,
    brand_id: str,
    kind: str,
    data: bytes,
    filename: str | None,
    principal: Principal,
    settings: Settings,
    store: MarkStore,
    index: BrandIndex,
    indexers: Sequence[MarkIndexer],
) -> MarkRow:
    """Validate, store and index a mark in the caller's transaction."""
    brand = get_brand(session, brand_id, principal)
    try:
        mark_kind = MarkKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in MarkKind)
        raise InvalidInput(f"kind must be one of {allowed}; got {kind!r}") from None
    decoded = decode_image(
        data, max_bytes=settings.max_mark_bytes, max_pixels=settings.max_image_pixels,
        allow_svg=True,
    )
    stored = sanitize_svg(data) if decoded.media_type == SVG_MEDIA_TYPE else data
    sha = store.put(stored)
    row = MarkRow(
        id=new_id("mrk"),
        brand_id=brand.id,
        kind=mark_kind.value,
        sha256=sha,
        media_type=decoded.media_type,
        filename=(filename or "")[:255] or None,
        size_bytes=len(stored),
        width=decoded.width,
        height=decoded.height,
    )
    session.add(row)
    session.flush()
    profile = to_profile(brand)
    for indexer in indexers:
        indexer.on_mark_added(session, index, profile, row.id, mark_kind, decoded.rgb)
    return row


def delete_mark(
    session: Session, brand_id: str, mark_id: str, principal: Principal, index: BrandIndex
) -> None:
    """Remove a mark and its vectors; the file stays while other marks may share it."""
    mark = get_mark(session, brand_id, mark_id, principal)
    index.remove_where(session, mark_id=mark.id)
    session.delete(mark)
    session.flush()
