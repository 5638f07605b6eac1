"""Text in photos (RapidOCR, PP-OCRv4 on ONNX Runtime) compared with brand names and aliases."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from rapidfuzz import fuzz

from screening.types import BrandProfile

_MIN_CONFIDENCE = 0.5
_MIN_NAME = 3
_MIN_FUZZY = 5  # shorter names must be read exactly ('BMW', not 'BMX')
_MIN_SIMILARITY = 0.8
EXACT_SCORE = 0.8
FUZZY_SCORE = 0.6


@dataclass(frozen=True)
class TextBox:
    text: str
    confidence: float
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class TextHit:
    brand_id: str
    name: str
    text: str
    similarity: float
    confidence: float
    box: tuple[int, int, int, int]

    @property
    def score(self) -> float:
        """Evidence strength: the name read exactly sends the listing to review (not to block
        on its own: a shop sign or a magazine page can print a brand's name); a near
        spelling counts less."""
        if self.similarity >= 1.0:
            return EXACT_SCORE * self.confidence
        return FUZZY_SCORE * self.similarity * self.confidence


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


class TextReader:
    """Lazy RapidOCR; one engine shared behind a lock (ONNX sessions are not cheap).

    `long_side=None` keeps RapidOCR's own sizing (the short side scaled up to 736 px), which
    read more brand names on the dev photos than a fixed longest side, though not on the
    calibration split (640 px: 58 names against 54, in half the time);
    scripts/ocr_read_size.py compares them.
    """

    def __init__(self, long_side: int | None = None) -> None:
        self.long_side = long_side
        self._engine: object | None = None
        self._lock = threading.Lock()

    def read(self, rgb: np.ndarray) -> list[TextBox]:
        """Text boxes in the photo's own pixel coordinates."""
        h, w = rgb.shape[:2]
        scale = 1.0 if self.long_side is None else self.long_side / max(h, w)
        resized = rgb if scale == 1.0 else cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
            interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR

                # with a long side of our own, the detector keeps the size it is given ("max")
                self._engine = RapidOCR() if self.long_side is None else RapidOCR(det_limit_type="max")
            result, _ = self._engine(np.ascontiguousarray(resized[:, :, ::-1]), use_cls=False)  # type: ignore[operator]
        boxes: list[TextBox] = []
        for quad, text, confidence in result or []:
            pts = np.asarray(quad, np.float32) / scale
            x0, y0 = np.clip(pts.min(axis=0), 0, None)
            x1, y1 = pts.max(axis=0)
            boxes.append(TextBox(str(text), float(confidence),
                                 (int(x0), int(y0), min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1))))))
        return boxes


def line_texts(boxes: Sequence[TextBox], max_join: int = 3) -> list[TextBox]:
    """Every box, plus runs of up to `max_join` boxes side by side on one text line.

    OCR often splits a logo's word ('GO' + 'gle'); a run's confidence is its weakest box's
    and its box the union of theirs.
    """
    ordered = sorted(boxes, key=lambda b: (b.box[0], b.box[1]))
    out = list(boxes)
    for i, first in enumerate(ordered):
        run = [first]
        for other in ordered[i + 1 :]:
            if len(run) == max_join:
                break
            last = run[-1]
            height = max(1, min(last.box[3] - last.box[1], other.box[3] - other.box[1]))
            overlap = min(last.box[3], other.box[3]) - max(last.box[1], other.box[1])
            gap = other.box[0] - last.box[2]
            if overlap < 0.5 * height or not -0.3 * height <= gap <= 1.5 * height:
                continue
            run.append(other)
            out.append(TextBox("".join(b.text for b in run), min(b.confidence for b in run),
                               (min(b.box[0] for b in run), min(b.box[1] for b in run),
                                max(b.box[2] for b in run), max(b.box[3] for b in run))))
    return out


def _similarity(key: str, text: str) -> float:
    """How closely `text` (one OCR box or run) spells the name `key` (both normalised)."""
    tokens = [t for t in re.split(r"[^0-9a-z]+", text.lower()) if t]
    joined = _norm(text)
    if key in tokens or key == joined:
        return 1.0
    if len(key) < _MIN_FUZZY:
        return 0.0
    return max(fuzz.ratio(key, t) / 100 for t in [*tokens, joined])


def match_brands(boxes: Iterable[TextBox], brands: Iterable[BrandProfile]) -> list[TextHit]:
    """Brand names or aliases read in the photo: a whole word, or a near spelling of a long one.

    Confidence and similarity are separate gates; the hit's `similarity` is the spelling's.
    """
    readable = line_texts([b for b in boxes if b.confidence >= _MIN_CONFIDENCE])
    hits: dict[str, TextHit] = {}
    for brand in brands:
        names = [n for n in (brand.name, *brand.aliases) if len(_norm(n)) >= _MIN_NAME]
        for box in readable:
            for name in names:
                similarity = _similarity(_norm(name), box.text)
                best = hits.get(brand.id)
                if similarity >= _MIN_SIMILARITY and (best is None or (similarity, box.confidence)
                                                      > (best.similarity, best.confidence)):
                    hits[brand.id] = TextHit(brand.id, name, box.text, similarity, box.confidence,
                                             box.box)
    return list(hits.values())
