"""The real OCR engine (RapidOCR, shipped weights) reading a brand name, with its box in the
photo's own pixels whether the photo is scaled down or up for reading."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from screening.image.ocr import TextReader, match_brands
from screening.types import BrandProfile


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


def photo_with_text(w: int, h: int, text: str, origin: tuple[int, int], scale: float) -> np.ndarray:
    rgb = np.full((h, w, 3), 235, np.uint8)
    cv2.putText(rgb, text, origin, cv2.FONT_HERSHEY_DUPLEX, scale, (20, 20, 120), max(1, int(2 * scale)),
                cv2.LINE_AA)
    return rgb


@pytest.mark.parametrize(("w", "h", "origin", "scale"), [(1600, 1200, (700, 800), 3.0), (320, 240, (40, 140), 1.2)])
def test_the_name_is_read_with_its_box_in_photo_pixels(reader: TextReader, w: int, h: int,
                                                      origin: tuple[int, int], scale: float) -> None:
    rgb = photo_with_text(w, h, "HEINEKEN", origin, scale)
    (tw, th), _ = cv2.getTextSize("HEINEKEN", cv2.FONT_HERSHEY_DUPLEX, scale, max(1, int(2 * scale)))
    hits = match_brands(reader.read(rgb), [BrandProfile("b1", "Heineken"), BrandProfile("b2", "BMW")])
    assert [hit.brand_id for hit in hits] == ["b1"]
    x0, y0, x1, y1 = hits[0].box
    drawn = (origin[0], origin[1] - th, origin[0] + tw, origin[1])
    slack = 0.25 * th
    assert abs(x0 - drawn[0]) < slack + 0.1 * tw and abs(x1 - drawn[2]) < slack + 0.1 * tw
    assert abs(y0 - drawn[1]) < 2 * slack and abs(y1 - drawn[3]) < 2 * slack
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h


def test_a_photo_with_no_text_reads_nothing(reader: TextReader) -> None:
    rng = np.random.default_rng(0)
    smooth = cv2.resize(rng.integers(40, 220, (3, 4, 3)).astype(np.uint8), (800, 600), interpolation=cv2.INTER_CUBIC)
    assert reader.read(smooth) == []
