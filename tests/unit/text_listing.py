"""Screening one listing with the rule-only text signal, shared by the text unit tests."""

from __future__ import annotations

from screening.text.signal import TextSignal
from screening.types import Catalogue, Evidence, Listing, Money, ScreeningInput

FLAG = 0.5  # the default review threshold


def evidence_for(signal: TextSignal, catalogue: Catalogue, title: str, price: float | None = None,
                 description: str = "") -> list[Evidence]:
    """The text evidence of a listing with this title (and price in USD), best first."""
    listing = Listing("t", title, description=description,
                      price=Money(price, "USD") if price is not None else None)
    return list(signal.evaluate(ScreeningInput(listing, (), catalogue)).evidence)


def top_flagged(signal: TextSignal, catalogue: Catalogue, title: str,
                price: float = 30) -> Evidence | None:
    """The best evidence when it would send the listing to review, else None."""
    evidence = evidence_for(signal, catalogue, title, price)
    return evidence[0] if evidence and evidence[0].score >= FLAG else None


def best_score(catalogue: Catalogue, title: str, price: float = 9) -> float:
    """The highest text score of a listing, from a fresh signal (0 when nothing matched)."""
    return max((e.score for e in evidence_for(TextSignal(None), catalogue, title, price)),
               default=0.0)
