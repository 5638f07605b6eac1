"""Keyset pagination over rows with sortable string ids."""

from __future__ import annotations

from typing import Any, TypeVar

RowT = TypeVar("RowT", bound=Any)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def page(rows: list[RowT], limit: int) -> tuple[list[RowT], str | None]:
    """Cut a `limit + 1` query result to one page and the cursor of the next."""
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None
