"""The per-hit reference for `BrandIndex.search_by_brand`: tests compare with it and build
fake lookups from it."""

from __future__ import annotations

from collections.abc import Sequence

from screening.index.brand_index import BrandRows, IndexHit


def group_hits(hits: Sequence[Sequence[IndexHit]]) -> BrandRows:
    """`BrandRows` of per-row hit lists (best first), as `BrandIndex.search_by_brand` makes."""
    rows: dict[str, list[tuple[float, int]]] = {}
    for i, row in enumerate(hits):
        seen: set[str] = set()
        for hit in row:
            if hit.brand_id not in seen:
                seen.add(hit.brand_id)
                rows.setdefault(hit.brand_id, []).append((hit.score, i))
    for pairs in rows.values():
        pairs.sort(key=lambda pair: (-pair[0], pair[1]))
    floor = min((row[-1].score for row in hits if row), default=0.0)
    return BrandRows(rows, floor)

