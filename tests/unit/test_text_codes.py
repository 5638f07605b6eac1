"""Codes shared by several brands: each plausible brand is named, the ranking comes from
generic features (invented catalogue)."""

from __future__ import annotations

from screening.text.evaluation import catalogue_of
from screening.text.signal import TextSignal
from screening.types import BrandProfile, Listing, Money, ScreeningInput

BRANDS = [
    # 'TB' is the initials of this brand's own name...
    BrandProfile(id="tallis-brook", name="Tallis Brook", category="bags",
                 price_floor=Money(600, "USD")),
    # ...and only the opening word of one of this brand's product lines
    BrandProfile(id="orvane", name="Orvane", product_lines=("TB Classic", "Lumen"),
                 category="bags", price_floor=Money(600, "USD")),
    # a registered code alias counts as the owner's own
    BrandProfile(id="quill", name="Quillon Veys", aliases=("QV",), product_lines=("QX Line",),
                 category="bags", price_floor=Money(600, "USD")),
]


def test_own_initials_outrank_a_code_read_off_a_product_line() -> None:
    signal = TextSignal(None)
    catalogue = catalogue_of(BRANDS)
    listing = Listing("t", "TB Tote Bag Women Leather Shoulder", price=Money(50, "USD"))
    evidence = signal.evaluate(ScreeningInput(listing, (), catalogue)).evidence
    scores = {e.brand_id: e.score for e in evidence}
    assert {"tallis-brook", "orvane"} <= set(scores)  # both plausible brands are named
    assert scores["tallis-brook"] > scores["orvane"]
    registered = signal.evaluate(ScreeningInput(
        Listing("u", "QV Tote Bag Women Leather", price=Money(50, "USD")), (), catalogue))
    assert registered.evidence and registered.evidence[0].brand_id == "quill"
