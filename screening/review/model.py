"""Vocabulary of the review queue: outcomes, reasons, statuses, kinds, and time helpers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import overload


class Outcome(StrEnum):
    INFRINGING = "infringing"
    NOT_INFRINGING = "not_infringing"
    ESCALATE = "escalate"


class Reason(StrEnum):
    COUNTERFEIT = "counterfeit"
    TRADEMARK_MISUSE = "trademark_misuse"
    AUTHORIZED_SELLER = "authorized_seller"
    GENERIC_USE = "generic_use"
    OTHER = "other"


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DECIDED = "decided"


class Kind(StrEnum):
    """Why an item is in the queue."""

    SCREENING = "screening"
    APPEAL = "appeal"
    ESCALATION = "escalation"


LABELS: dict[str, int | None] = {
    Outcome.INFRINGING.value: 1, Outcome.NOT_INFRINGING.value: 0, Outcome.ESCALATE.value: None,
}


def now() -> datetime:
    return datetime.now(UTC)


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
@overload
def aware(moment: datetime | None) -> datetime | None: ...
def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def sampled(item_id: str, share: float) -> bool:
    """Deterministic draw: whether an item falls into a share (used for double review)."""
    if share <= 0:
        return False
    bucket = int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < share
