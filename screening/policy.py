"""Maps fused matches to allow, review or block, with per-brand thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from screening.types import Catalogue, Decision, Match, SignalName

_ORDER = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.BLOCK: 2}


@dataclass(frozen=True)
class Thresholds:
    review: float
    block: float


def decide_match(match: Match, thresholds: Thresholds) -> Decision:
    """The decision one brand's match calls for.

    An authorized seller is never blocked for its own brand; a price well under the floor
    still sends its listing to review (a stolen account sells fakes too).
    """
    if match.authorized_seller:
        under_floor = any(e.signal == SignalName.PRICE for e in match.evidence)
        if under_floor and match.score >= thresholds.review:
            return Decision.REVIEW
        return Decision.ALLOW
    if match.score >= thresholds.block:
        return Decision.BLOCK
    if match.score >= thresholds.review:
        return Decision.REVIEW
    return Decision.ALLOW


def decide(
    matches: Sequence[Match], catalogue: Catalogue, defaults: Thresholds
) -> tuple[Decision, float]:
    """The listing's decision and risk: the strongest call over its brands."""
    decision, risk = Decision.ALLOW, 0.0
    for match in matches:
        brand = catalogue.get(match.brand_id)
        thresholds = Thresholds(
            review=brand.review_threshold if brand and brand.review_threshold is not None
            else defaults.review,
            block=brand.block_threshold if brand and brand.block_threshold is not None
            else defaults.block,
        )
        verdict = decide_match(match, thresholds)
        if _ORDER[verdict] > _ORDER[decision]:
            decision = verdict
        if not match.authorized_seller or verdict is not Decision.ALLOW:
            risk = max(risk, match.score)
    return decision, round(risk, 4)
