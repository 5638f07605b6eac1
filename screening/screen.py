"""Screening orchestration: validate → decode → signals → fuse → policy → store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.brands import CatalogueCache
from screening.db.tables import BrandRow, ScreeningBrandRow, ScreeningRow
from screening.errors import ImageRejected, InvalidInput, PayloadTooLarge
from screening.fusion import fuse
from screening.ids import new_id
from screening.image.decode import decode_image
from screening.policy import Thresholds, decide
from screening.review.intake import appeal_material
from screening.review.queue import enqueue
from screening.settings import Settings
from screening.types import (
    Decision,
    DecodedImage,
    Evidence,
    Flag,
    Listing,
    Match,
    ScreeningInput,
    ScreeningResult,
    Signal,
)

log = structlog.get_logger(__name__)

PIPELINE_VERSION = "screening-1"


def validate_listing(listing: Listing, settings: Settings) -> None:
    """Enforce the contract's limits before any work is done."""
    if not listing.listing_id.strip():
        raise InvalidInput("listing_id must not be blank")
    if len(listing.title) > settings.max_title_chars:
        raise PayloadTooLarge(
            f"title has {len(listing.title):,} characters; the limit is {settings.max_title_chars:,}"
        )
    if len(listing.description) > settings.max_description_chars:
        raise PayloadTooLarge(
            f"description has {len(listing.description):,} characters; "
            f"the limit is {settings.max_description_chars:,}"
        )
    if len(listing.images) > settings.max_images:
        raise PayloadTooLarge(
            f"{len(listing.images)} images; a listing may carry at most {settings.max_images}"
        )


def content_hash(listing: Listing) -> str:
    """A digest of everything that can change a listing's result."""
    canonical = {
        "title": listing.title,
        "description": listing.description,
        "seller_id": listing.seller_id,
        "price": asdict(listing.price) if listing.price else None,
        "category": listing.category,
        "markets": sorted(listing.markets),
        "images": [hashlib.sha256(image).hexdigest() for image in listing.images],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def decode_listing_images(listing: Listing, settings: Settings) -> list[DecodedImage]:
    decoded = []
    for index, data in enumerate(listing.images):
        try:
            image = decode_image(
                data, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
            )
        except ImageRejected as exc:
            raise exc.at(index) from None
        decoded.append(DecodedImage(index, image.rgb, image.sha256))
    return decoded


def _evidence_dict(item: Evidence) -> dict[str, Any]:
    return {key: (list(value) if isinstance(value, tuple) else value)
            for key, value in asdict(item).items() if value is not None and key != "brand_id"}


def result_to_dict(result: ScreeningResult) -> dict[str, Any]:
    """The contract's JSON shape of a result (also what is stored)."""
    return {
        "listing_id": result.listing_id,
        "decision": result.decision.value,
        "risk": result.risk,
        "matches": [
            {"brand_id": m.brand_id, "brand": m.brand, "score": m.score,
             "authorized_seller": m.authorized_seller,
             "evidence": [_evidence_dict(e) for e in m.evidence]}
            for m in result.matches
        ],
        "flags": [{k: (list(v) if isinstance(v, tuple) else v)
                   for k, v in asdict(f).items() if v is not None} for f in result.flags],
        "review_item_id": result.review_item_id,
        "model_version": result.model_version,
    }


class Screener:
    """Runs every signal on a listing and stores the explained result."""

    def __init__(self, settings: Settings, signals: Sequence[Signal]) -> None:
        self.settings = settings
        self.signals = list(signals)
        self.catalogue = CatalogueCache()
        self.model_version = "+".join(
            [PIPELINE_VERSION] + [f"{s.name}:{s.version}" for s in self.signals]
        )
        self.defaults = Thresholds(settings.review_threshold, settings.block_threshold)

    def screen(self, session: Session, listing: Listing) -> dict[str, Any]:
        """Screen one listing in the caller's transaction; returns the contract's result."""
        validate_listing(listing, self.settings)
        digest = content_hash(listing)
        stored = self._stored(session, listing.listing_id, digest)
        if stored is not None:
            return stored
        images = decode_listing_images(listing, self.settings)
        catalogue = self.catalogue.get(session)
        item = ScreeningInput(listing, images, catalogue)
        evidence: list[Evidence] = []
        flags: list[Flag] = []
        for signal in self.signals:
            output = signal.evaluate(item)
            evidence.extend(output.evidence)
            flags.extend(output.flags)
        matches = fuse(listing, evidence, catalogue, self.settings.price_weight)
        decision, risk = decide(matches, catalogue, self.defaults)
        result = ScreeningResult(
            listing.listing_id, decision, risk, tuple(matches), tuple(flags), self.model_version
        )
        return self._store(session, listing, digest, result)

    def _stored(self, session: Session, listing_id: str, digest: str) -> dict[str, Any] | None:
        row = session.scalar(
            select(ScreeningRow).where(
                ScreeningRow.listing_id == listing_id, ScreeningRow.content_hash == digest
            )
        )
        return None if row is None else dict(row.result)

    def _store(
        self, session: Session, listing: Listing, digest: str, result: ScreeningResult
    ) -> dict[str, Any]:
        row_id = new_id("scr")
        payload = result_to_dict(result)
        try:
            with session.begin_nested():
                row = ScreeningRow(
                    id=row_id, listing_id=listing.listing_id, content_hash=digest,
                    seller_id=listing.seller_id, title=listing.title.replace("\x00", "\ufffd"),
                    decision=result.decision.value, risk=result.risk, result=payload,
                    model_version=result.model_version,
                )
                session.add(row)
                session.flush()
                self._link_brands(session, row_id, result.matches)
                if result.decision is Decision.REVIEW:
                    item = enqueue(session, row_id, listing.listing_id, self._priority(session, result),
                                   listing=listing, result=result, settings=self.settings)
                    payload = {**payload, "review_item_id": item.id}
                    row.result = payload
                elif result.decision is Decision.BLOCK:
                    row.appeal_material = appeal_material(listing, self.settings)
                session.flush()
        except IntegrityError:
            # Another request stored the same listing and content first: answer with its result.
            stored = self._stored(session, listing.listing_id, digest)
            if stored is None:
                raise
            return stored
        return payload

    @staticmethod
    def _link_brands(session: Session, screening_id: str, matches: Sequence[Match]) -> None:
        session.add_all(
            ScreeningBrandRow(screening_id=screening_id, brand_id=m.brand_id, score=m.score)
            for m in matches
        )

    @staticmethod
    def _priority(session: Session, result: ScreeningResult) -> float:
        if not result.matches:
            return result.risk
        weights = session.scalars(
            select(BrandRow.weight).where(BrandRow.id.in_([m.brand_id for m in result.matches]))
        ).all()
        return result.risk * max([w or 1.0 for w in weights] or [1.0])
