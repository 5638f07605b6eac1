"""Unit tests of the review queue's pure parts: grouping keys, PDQ distance, priority, sampling."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
from PIL import Image

from screening.review import grouping, priority
from screening.review.model import Kind, aware, sampled
from screening.review.settings import ReviewSettings


def _rgb(seed: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 255, (12, 12, 3), dtype=np.uint8))
    return np.asarray(base.resize((size, size), Image.Resampling.BICUBIC))


def test_title_key_ignores_case_spacing_and_punctuation() -> None:
    assert grouping.title_key("brd_1", "Gucci  Bag!!") == grouping.title_key("brd_1", "gucci bag")
    assert grouping.title_key("brd_1", "Gucci bag") != grouping.title_key("brd_2", "Gucci bag")
    assert grouping.title_key("brd_1", "Gucci bag") != grouping.title_key("brd_1", "Gucci belt")
    assert grouping.title_key(None, "Gucci bag") is None and grouping.title_key("brd_1", "!!") is None


def test_pdq_groups_near_duplicates_only() -> None:
    original = grouping.pdq_hex(_rgb(1, 128))
    resized = grouping.pdq_hex(_rgb(1, 200))
    other = grouping.pdq_hex(_rgb(2, 128))
    assert original and resized and other and len(original) == 64
    assert grouping.hamming(original, resized) <= 24 < grouping.hamming(original, other)
    assert grouping.pdq_hex(np.full((64, 64, 3), 128, dtype=np.uint8)) is None  # flat: unreliable


def test_jpeg_recompression_stays_near() -> None:
    buffer = io.BytesIO()
    Image.fromarray(_rgb(3, 160)).save(buffer, "JPEG", quality=40)
    recompressed = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    a, b = grouping.pdq_hex(_rgb(3, 160)), grouping.pdq_hex(recompressed)
    assert a and b and grouping.hamming(a, b) <= 24


def test_sla_is_shorter_for_urgent_and_escalated_items() -> None:
    settings = ReviewSettings(sla_seconds=86400, urgent_sla_seconds=3600, urgent_risk=0.8, appeal_sla_seconds=7200)
    assert priority.sla_seconds(Kind.SCREENING, 0.6, settings) == 86400
    assert priority.sla_seconds(Kind.SCREENING, 0.85, settings) == 3600
    assert priority.sla_seconds(Kind.ESCALATION, 0.1, settings) == 3600
    assert priority.sla_seconds(Kind.APPEAL, 0.9, settings) == 7200


def test_double_review_sampling_is_deterministic_and_proportional() -> None:
    ids = [f"rvw_{n}" for n in range(4000)]
    share = sum(sampled(i, 0.1) for i in ids) / len(ids)
    assert 0.08 < share < 0.12
    assert [sampled(i, 0.1) for i in ids[:50]] == [sampled(i, 0.1) for i in ids[:50]]
    assert not any(sampled(i, 0.0) for i in ids[:100]) and all(sampled(i, 1.0) for i in ids[:100])


def test_aware_marks_naive_times_as_utc() -> None:
    assert aware(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert aware(None) is None
