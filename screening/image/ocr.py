"""Text in photos (RapidOCR, PP-OCRv4 on ONNX Runtime) compared with brand names and aliases."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from screening.types import BrandProfile

_MIN_CONFIDENCE = 0.6
_MIN_NAME = 3


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
    box: tuple[int, int, int, int]


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


class TextReader:
    """Lazy RapidOCR; one engine shared behind a lock (ONNX sessions are not cheap)."""

    def __init__(self, max_side: int = 736) -> None:
        self._engine: object | None = None
        self._lock = threading.Lock()
        self.max_side = max_side

    def read(self, rgb: np.ndarray) -> list[TextBox]:
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR

                self._engine = RapidOCR()
            result, _ = self._engine(np.ascontiguousarray(rgb[:, :, ::-1]), use_cls=False)  # type: ignore[operator]
        boxes: list[TextBox] = []
        for quad, text, confidence in result or []:
            pts = np.asarray(quad, np.float32)
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            boxes.append(TextBox(str(text), float(confidence), (int(x0), int(y0), int(x1), int(y1))))
        return boxes


def match_brands(boxes: Iterable[TextBox], brands: Iterable[BrandProfile]) -> list[TextHit]:
    """Brand names or aliases read in the photo (whole-token match, or near-identical text)."""
    hits: dict[str, TextHit] = {}
    boxes = [b for b in boxes if b.confidence >= _MIN_CONFIDENCE]
    for brand in brands:
        names = [n for n in (brand.name, *brand.aliases) if len(_norm(n)) >= _MIN_NAME]
        for box in boxes:
            tokens = [_norm(t) for t in re.split(r"[\s\-_.,/:;|]+", box.text) if t]
            joined = _norm(box.text)
            for name in names:
                key = _norm(name)
                if key in tokens or key == joined:
                    similarity = 1.0
                elif len(key) >= 5:
                    similarity = max([fuzz.ratio(key, t) / 100 for t in [*tokens, joined]] or [0.0])
                else:
                    similarity = 0.0
                similarity *= box.confidence
                best = hits.get(brand.id)
                if similarity >= 0.85 and (best is None or similarity > best.similarity):
                    hits[brand.id] = TextHit(brand.id, name, box.text, similarity, box.box)
    return list(hits.values())
