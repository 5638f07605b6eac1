"""Fusion: the price check and the noisy-or over signals."""

from __future__ import annotations

import pytest

from screening.fusion import ORDINARY_MARKDOWN, fuse, price_evidence
from screening.types import BrandProfile, Catalogue, Evidence, Listing, Money, SignalName

BRAND = BrandProfile(id="b1", name="Exampla", category="bags", price_floor=Money(1000, "USD"))


def listing(price: float) -> Listing:
    return Listing(listing_id="l1", title="Exampla tote", price=Money(price, "USD"))


@pytest.mark.parametrize("price", [1200, 1000, 900, 760])
def test_a_price_at_or_within_an_ordinary_markdown_of_the_floor_is_no_evidence(price: float) -> None:
    assert price_evidence(listing(price), BRAND, 0.35) is None


def test_the_discount_beyond_an_ordinary_markdown_is_the_evidence() -> None:
    found = price_evidence(listing(400), BRAND, 0.35)
    assert found is not None and found.signal == SignalName.PRICE
    assert found.score == pytest.approx(0.35 * (0.6 - ORDINARY_MARKDOWN) / (1 - ORDINARY_MARKDOWN), abs=1e-4)
    assert "60% under" in found.detail
    nearly_free = price_evidence(listing(1), BRAND, 0.35)
    assert nearly_free is not None and nearly_free.score > found.score


def test_price_counts_only_beside_other_evidence_of_the_brand() -> None:
    catalogue = Catalogue({"b1": BRAND})
    assert fuse(listing(10), [], catalogue, 0.35) == []
    text = Evidence(signal="text", brand_id="b1", score=0.4, detail="'Exampla' reads as 'Exampla'")
    (match,) = fuse(listing(10), [text], catalogue, 0.35)
    price = next(e for e in match.evidence if e.signal == SignalName.PRICE)
    assert match.score == pytest.approx(1 - (1 - 0.4) * (1 - price.score), abs=1e-4)
    (plain,) = fuse(listing(950), [text], catalogue, 0.35)
    assert plain.score == pytest.approx(0.4)
