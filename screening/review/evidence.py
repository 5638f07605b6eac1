"""Evidence laid out for a moderator: highlighted text spans and boxes on photos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Box:
    """A box in percent of the photo, so it scales with the displayed image."""

    left: float
    top: float
    width: float
    height: float
    label: str


def _evidence(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(e, brand=m.get("brand", "")) for m in result.get("matches", []) for e in m.get("evidence", [])]


def highlight(text: str, result: dict[str, Any], field: str) -> list[Segment]:
    """Split `text` into plain and highlighted segments from the result's spans on `field`."""
    spans: list[tuple[int, int, str]] = []
    items = _evidence(result) + [dict(f, detail=f.get("detail", f.get("code", ""))) for f in result.get("flags", [])]
    for item in items:
        span = item.get("span")
        if item.get("field") == field and isinstance(span, list | tuple) and len(span) == 2:
            start, end = max(0, int(span[0])), min(len(text), int(span[1]))
            if start < end:
                spans.append((start, end, str(item.get("detail", ""))))
    spans.sort()
    segments: list[Segment] = []
    cursor = 0
    for start, end, detail in spans:
        start = max(start, cursor)
        if start >= end:
            continue  # overlaps an earlier span
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], True, detail))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


def boxes(result: dict[str, Any], image_index: int, width: int, height: int) -> list[Box]:
    """Boxes of image evidence on one listing photo, in percent of its size."""
    found: list[Box] = []
    if width <= 0 or height <= 0:
        return found
    for item in _evidence(result):
        bbox = item.get("bbox")
        if item.get("image_index") != image_index or not isinstance(bbox, list | tuple) or len(bbox) != 4:
            continue
        x0, y0, x1, y1 = (float(v) for v in bbox)
        found.append(Box(
            left=round(100 * max(0.0, x0) / width, 2), top=round(100 * max(0.0, y0) / height, 2),
            width=round(100 * max(0.0, x1 - x0) / width, 2), height=round(100 * max(0.0, y1 - y0) / height, 2),
            label=f"{item.get('signal', '')} {item.get('brand', '')} {float(item.get('score', 0)):.2f}".strip(),
        ))
    return found


def matched_marks(result: dict[str, Any]) -> list[str]:
    """Ids of reference marks the evidence points at, strongest first, without repeats."""
    ordered = sorted(_evidence(result), key=lambda e: -float(e.get("score", 0)))
    return list(dict.fromkeys(str(e["mark_id"]) for e in ordered if e.get("mark_id")))
