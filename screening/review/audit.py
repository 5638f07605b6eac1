"""The append-only audit log of review items, and its CSV export.

Rows are only ever inserted; database triggers (migration 0002) refuse UPDATE and DELETE.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db.tables import ReviewEventRow

CSV_COLUMNS = ("id", "at", "item_id", "actor", "action", "detail")
_BATCH = 1000


def audit(session: Session, item_id: str, actor: str | None, action: str, **detail: Any) -> None:
    """Append one event (claim, release, expire, renew, decide, enqueue, group, appeal, ...)."""
    session.add(ReviewEventRow(item_id=item_id, actor=actor, action=action, detail=detail))


def events(session: Session, item_id: str) -> list[ReviewEventRow]:
    return list(session.scalars(
        select(ReviewEventRow).where(ReviewEventRow.item_id == item_id).order_by(ReviewEventRow.id)
    ))


def _line(values: tuple[Any, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def export_csv(
    session: Session, since: datetime | None = None, until: datetime | None = None,
    item_id: str | None = None,
) -> Iterator[str]:
    """The log as CSV lines, oldest first, read in batches by id (safe for large logs)."""
    yield _line(CSV_COLUMNS)
    last = 0
    while True:
        query = select(ReviewEventRow).where(ReviewEventRow.id > last).order_by(ReviewEventRow.id).limit(_BATCH)
        if since is not None:
            query = query.where(ReviewEventRow.at >= since)
        if until is not None:
            query = query.where(ReviewEventRow.at < until)
        if item_id is not None:
            query = query.where(ReviewEventRow.item_id == item_id)
        rows = list(session.scalars(query))
        if not rows:
            return
        for row in rows:
            at = row.at.isoformat() if row.at else ""
            yield _line((row.id, at, row.item_id, row.actor or "", row.action,
                         json.dumps(row.detail or {}, sort_keys=True)))
        last = rows[-1].id
