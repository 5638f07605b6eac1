"""Optional hooks a signal implements when it keeps vectors in the brand index.

A signal is any object satisfying `screening.types.Signal`. Signals that index brand
data also implement one or both protocols below; the brand service calls them inside the
same transaction that changes the brand or mark, so the index never disagrees with it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from sqlalchemy.orm import Session

from screening.index.brand_index import BrandIndex
from screening.types import BrandProfile, MarkKind


@runtime_checkable
class BrandIndexer(Protocol):
    """Indexes text derived from a brand (names, aliases, product lines)."""

    def open_index(self, index: BrandIndex) -> None:
        """Open this signal's spaces at start-up (load or rebuild) and re-embed stale rows."""

    def on_brand_changed(self, session: Session, index: BrandIndex, brand: BrandProfile) -> None:
        """Replace this brand's vectors after a create or update."""


@runtime_checkable
class MarkIndexer(Protocol):
    """Indexes reference marks (logos, wordmark images, product photos)."""

    def open_index(self, index: BrandIndex) -> None:
        """Open this signal's spaces at start-up (load or rebuild) and re-embed stale rows."""

    def on_mark_added(
        self,
        session: Session,
        index: BrandIndex,
        brand: BrandProfile,
        mark_id: str,
        kind: MarkKind,
        rgb: np.ndarray,
    ) -> None:
        """Embed and index a new reference mark (RGB uint8, alpha already flattened)."""
