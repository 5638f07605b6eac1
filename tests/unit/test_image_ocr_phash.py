"""OCR text against brand names, and PDQ near-duplicates (no OCR engine needed)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from screening.image.ocr import TextBox, match_brands
from screening.image.phash import cosine_to_distance, distance_score, pdq_bits
from screening.types import BrandProfile
from tests.api.test_logo_signal import background


def test_brand_names_in_text_boxes() -> None:
    brands = [BrandProfile("b1", "Heineken"), BrandProfile("b2", "BMW"),
              BrandProfile("b3", "Intel", aliases=("intel inside",))]
    boxes = [TextBox("HEINEKEN lager", 0.95, (1, 2, 3, 4)), TextBox("Heinekem", 0.9, (5, 6, 7, 8)),
             TextBox("BMX", 0.99, (0, 0, 1, 1)), TextBox("intelligent", 0.99, (0, 0, 1, 1))]
    hits = {h.brand_id: h for h in match_brands(boxes, brands)}
    assert set(hits) == {"b1"}
    assert hits["b1"].box == (1, 2, 3, 4) and hits["b1"].similarity > 0.9
    low = match_brands([TextBox("BMW", 0.3, (0, 0, 1, 1))], brands)
    assert low == []


def test_words_split_by_ocr_or_wrapped_in_punctuation_still_match() -> None:
    brands = [BrandProfile("g", "Google"), BrandProfile("i", "Intel"), BrandProfile("d", "DHL")]
    boxes = [TextBox("GO", 0.98, (10, 10, 40, 40)), TextBox("gle", 0.98, (44, 12, 80, 40)),
             TextBox("(intel)", 0.82, (0, 100, 50, 120)), TextBox("DHL", 0.65, (0, 200, 60, 230)),
             TextBox("gle", 0.99, (300, 300, 340, 330))]  # far away: not part of 'GO...'
    hits = {h.brand_id: h for h in match_brands(boxes, brands)}
    assert set(hits) == {"g", "i", "d"}
    assert hits["g"].box == (10, 10, 80, 40) and 0.8 < hits["g"].similarity < 1.0
    assert hits["i"].similarity == 1.0 and hits["i"].score == pytest.approx(0.8 * 0.82)
    assert hits["d"].score < hits["i"].score  # same exact reading, lower OCR confidence
    assert hits["g"].score < 0.6  # a near spelling stays under the exact-name score


def test_pdq_distance_small_for_copies_large_for_others() -> None:
    photo = background(320, 240, 11)
    cv2.circle(photo, (160, 120), 60, (20, 20, 20), -1)
    copy = cv2.GaussianBlur(cv2.resize(photo, (200, 150)), (3, 3), 0)
    a, qa = pdq_bits(photo)
    b, _ = pdq_bits(copy)
    c, _ = pdq_bits(background(320, 240, 12))
    assert qa > 0
    near, far = int((a != b).sum()), int((a != c).sum())
    assert near < 31 < far
    assert distance_score(near) > 0.6 > distance_score(40)
    assert cosine_to_distance(1.0 - 2 * near / 256) == near
    assert np.array_equal(pdq_bits(photo)[0], a)
