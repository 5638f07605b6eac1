"""Grouping: listings with the same normalized title and brand, or a near-duplicate photo,
join one open review item and are decided together.

Title keys are exact (an indexed lookup). Photos are compared by PDQ hash (Hamming
distance) against the open items' photos, scanning at most `group_scan_limit` of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pdqhash
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db.tables import ReviewItemRow, ReviewMemberRow
from screening.errors import ImageRejected
from screening.image.decode import decode_image
from screening.review.model import Kind, Status
from screening.signals.keyword import fold
from screening.storage import MarkStore

MIN_PDQ_QUALITY = 40


def title_key(brand_id: str | None, title: str) -> str | None:
    """A key shared by listings whose titles differ only in case, accents, spacing, punctuation."""
    folded = fold(title).text
    if not folded or brand_id is None:
        return None
    return "t:" + hashlib.sha256(f"{brand_id}|{folded}".encode()).hexdigest()[:40]


def pdq_hex(rgb: np.ndarray) -> str | None:
    """The PDQ hash as 64 hex digits, or None for flat images whose hash is unreliable."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    if int(quality) < MIN_PDQ_QUALITY:
        return None
    packed = np.packbits(np.asarray(bits, dtype=np.uint8))
    return bytes(packed).hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def store_images(
    images: Sequence[bytes], store: MarkStore, max_bytes: int, max_pixels: int
) -> list[dict[str, Any]]:
    """Keep the listing's photos for the console and feedback; returns their descriptors."""
    described: list[dict[str, Any]] = []
    for index, data in enumerate(images):
        try:
            decoded = decode_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
        except ImageRejected:
            continue  # screening already refused undecodable images; never fail the enqueue
        sha = store.put(data)
        described.append({"index": index, "sha256": sha, "media_type": decoded.media_type,
                          "width": decoded.width, "height": decoded.height, "pdq": pdq_hex(decoded.rgb)})
    return described


def find_group(
    session: Session, key: str | None, images: Sequence[dict[str, Any]], max_distance: int, scan_limit: int
) -> tuple[ReviewItemRow | None, str]:
    """The open screening item this listing belongs with (or None), and how it matched."""
    open_items = select(ReviewItemRow.id).where(
        ReviewItemRow.status == Status.OPEN.value, ReviewItemRow.kind == Kind.SCREENING.value
    )
    if key is not None:
        item_id = session.scalar(
            select(ReviewMemberRow.item_id)
            .where(ReviewMemberRow.title_key == key, ReviewMemberRow.item_id.in_(open_items))
            .order_by(ReviewMemberRow.id).limit(1)
        )
        if item_id is not None:
            return session.get(ReviewItemRow, item_id), "title"
    hashes = [i["pdq"] for i in images if i.get("pdq")]
    if not hashes or scan_limit <= 0:
        return None, ""
    candidates = session.execute(
        select(ReviewMemberRow.item_id, ReviewMemberRow.images)
        .where(ReviewMemberRow.item_id.in_(open_items))
        .order_by(ReviewMemberRow.id.desc()).limit(scan_limit)
    ).all()
    for item_id, member_images in candidates:
        for other in member_images or []:
            theirs = other.get("pdq")
            if theirs and any(hamming(mine, theirs) <= max_distance for mine in hashes):
                return session.get(ReviewItemRow, item_id), "image"
    return None, ""
