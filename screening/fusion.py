"""Per-brand fusion of evidence from all signals, including the price check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from screening.money import to_usd
from screening.types import (
    BrandProfile,
    Catalogue,
    Evidence,
    Listing,
    Match,
    SignalName,
)

# Sales, outlets and resale sit within this share under a brand's floor: no evidence there.
ORDINARY_MARKDOWN = 0.25


def noisy_or(scores: Iterable[float]) -> float:
    """Probability that at least one independent piece of evidence is right."""
    miss = 1.0
    for score in scores:
        miss *= 1.0 - min(max(score, 0.0), 1.0)
    return 1.0 - miss


def price_evidence(listing: Listing, brand: BrandProfile, weight: float) -> Evidence | None:
    """Evidence when the listing's price is further under the brand's floor than an ordinary
    markdown; its score grows with the discount beyond that. None otherwise."""
    if listing.price is None or brand.price_floor is None or weight <= 0:
        return None
    price, floor = to_usd(listing.price), to_usd(brand.price_floor)
    if price is None or floor is None or floor <= 0:
        return None
    discount = 1.0 - price / floor
    beyond_markdown = max(0.0, discount - ORDINARY_MARKDOWN) / (1.0 - ORDINARY_MARKDOWN)
    if beyond_markdown <= 0:
        return None
    return Evidence(
        signal=SignalName.PRICE,
        brand_id=brand.id,
        score=round(weight * beyond_markdown, 4),
        detail=(
            f"price {listing.price.amount:g} {listing.price.currency} is {discount:.0%} under "
            f"{brand.name}'s floor of {brand.price_floor.amount:g} {brand.price_floor.currency}"
        ),
    )


def fuse(
    listing: Listing, evidence: Iterable[Evidence], catalogue: Catalogue, price_weight: float
) -> list[Match]:
    """Group evidence by brand and combine it; price counts only beside other evidence."""
    by_brand: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        if catalogue.get(item.brand_id) is not None:
            by_brand[item.brand_id].append(item)
    matches: list[Match] = []
    for brand_id, items in by_brand.items():
        brand = catalogue.brands[brand_id]
        best_per_signal: dict[str, float] = {}
        for item in items:
            best_per_signal[item.signal] = max(best_per_signal.get(item.signal, 0.0), item.score)
        price = price_evidence(listing, brand, price_weight)
        if price is not None:
            items.append(price)
            best_per_signal[price.signal] = price.score
        score = round(noisy_or(best_per_signal.values()), 4)
        ordered = tuple(sorted(items, key=lambda e: e.score, reverse=True))
        seller = listing.seller_id
        matches.append(
            Match(
                brand_id=brand_id,
                brand=brand.name,
                score=score,
                evidence=ordered,
                authorized_seller=seller is not None and seller in brand.authorized_sellers,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.brand))
    return matches
