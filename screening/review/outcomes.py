"""What a final decision does: listing decisions, escalations, appeal outcomes, seller
allow-lists, and a labelled sample per decision for calibration and training."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db.tables import BrandRow, ReviewItemRow, ReviewLabelRow, ReviewMemberRow, ScreeningRow
from screening.review.audit import audit
from screening.review.model import LABELS, Kind, Outcome, Reason

LISTING_DECISION = {Outcome.INFRINGING.value: "block", Outcome.NOT_INFRINGING.value: "allow"}
ESCALATION_BOOST = 1.5


def members(session: Session, item_id: str) -> list[ReviewMemberRow]:
    return list(session.scalars(
        select(ReviewMemberRow).where(ReviewMemberRow.item_id == item_id).order_by(ReviewMemberRow.id)
    ))


def record_labels(
    session: Session, item: ReviewItemRow, moderator_id: str, outcome: Outcome, reason: Reason
) -> None:
    """Keep every decision, per listing, with the screening result it judged."""
    for member in members(session, item.id):
        screening = session.get(ScreeningRow, member.screening_id)
        session.add(ReviewLabelRow(
            item_id=item.id, screening_id=member.screening_id, listing_id=member.listing_id,
            brand_id=item.brand_id, seller_id=member.seller_id, moderator_id=moderator_id,
            outcome=outcome.value, reason=reason.value, label=LABELS[outcome.value],
            risk=screening.risk if screening else item.risk,
            model_version=screening.model_version if screening else "",
            result=dict(screening.result) if screening else {},
        ))


def set_listing_decision(session: Session, item: ReviewItemRow, decision: str) -> list[str]:
    """Apply a moderated decision to every member's stored screening; returns the listing ids."""
    changed = []
    for member in members(session, item.id):
        screening = session.get(ScreeningRow, member.screening_id)
        if screening is None:
            continue
        moderation = {"item_id": item.id, "kind": item.kind, "outcome": item.outcome, "reason": item.reason,
                      "decided_at": item.decided_at.isoformat() if item.decided_at else None,
                      "previous_decision": screening.decision}
        screening.decision = decision
        screening.result = {**dict(screening.result), "decision": decision, "moderation": moderation}
        changed.append(member.listing_id)
    return changed


def authorize_sellers(session: Session, item: ReviewItemRow) -> list[str]:
    """Add the members' sellers to the brand's authorized sellers."""
    brand = session.get(BrandRow, item.brand_id) if item.brand_id else None
    if brand is None:
        return []
    current = list(brand.authorized_sellers or [])
    added = sorted({m.seller_id for m in members(session, item.id) if m.seller_id} - set(current))
    if added:
        brand.authorized_sellers = current + added
        brand.updated_at = datetime.now(UTC)  # invalidates the screener's catalogue snapshot
        audit(session, item.id, item.decided_by, "feedback", authorized_sellers=added, brand_id=brand.id)
    return added


def escalate(session: Session, item: ReviewItemRow) -> ReviewItemRow:
    """A follow-up item for another (senior) moderator, carrying the same listings."""
    from screening.review.intake import add_member, new_item

    follow_up = new_item(
        session, kind=Kind.ESCALATION, screening_id=item.screening_id, listing_id=item.listing_id, risk=item.risk,
        brand_id=item.brand_id, seller_id=item.seller_id, excluded_moderator=item.decided_by,
        origin_item_id=item.id, boost=ESCALATION_BOOST,
        context={"escalated_from": item.id, "origin_kind": item.kind, "note": item.note},
    )
    for member in members(session, item.id):
        add_member(session, follow_up, screening_id=member.screening_id, listing_id=member.listing_id,
                   seller_id=member.seller_id, title=member.title, description=member.description,
                   title_key=None, images=member.images)
    audit(session, item.id, item.decided_by, "escalate", to=follow_up.id)
    return follow_up


def _origin_kind(session: Session, item: ReviewItemRow) -> str:
    """The kind at the start of an escalation chain (appeal or screening)."""
    return str(item.context.get("origin_kind", item.kind)) if item.kind == Kind.ESCALATION else item.kind


def apply(session: Session, item: ReviewItemRow) -> None:
    """Carry out a final decision."""
    outcome = Outcome(item.outcome or Outcome.ESCALATE.value)
    if outcome is Outcome.ESCALATE:
        escalate(session, item)
        return
    decision = LISTING_DECISION[outcome.value]
    listings = set_listing_decision(session, item, decision)
    audit(session, item.id, item.decided_by, "apply", decision=decision, listings=listings)
    if _origin_kind(session, item) == Kind.APPEAL:
        verdict = "overturned" if outcome is Outcome.NOT_INFRINGING else "upheld"
        item.context = {**item.context, "appeal_outcome": verdict}
        audit(session, item.id, item.decided_by, "appeal_outcome", verdict=verdict)
    if outcome is Outcome.NOT_INFRINGING and item.reason == Reason.AUTHORIZED_SELLER:
        authorize_sellers(session, item)
