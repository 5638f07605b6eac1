"""The calibration split's photos and regions: box-free regions are negatives only for the
brands their photo does not show, and a photo's regions do not depend on how many are drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from PIL import Image

from screening.image import validation
from screening.image.evaluation import Box, DevSet, in_calibration_split
from screening.image.validation import ValidationPhoto, collect, validation_photos


def _names(count: int, calibration: bool) -> list[str]:
    names: list[str] = []
    i = 0
    while len(names) < count:
        name = f"{i}.jpg"
        if in_calibration_split(name) == calibration:
            names.append(name)
        i += 1
    return names


def _dev(root: Path) -> DevSet:
    """Three reference photos of brands A and B each outside the split; two split photos,
    one of A and one of B."""
    (root / "images").mkdir()
    rng = np.random.default_rng(0)
    boxes = []
    for i, name in enumerate(_names(6, calibration=False)):
        boxes.append(Box(name, "AB"[i % 2], (0, 0, 300, 300)))
    for name, brand in zip(_names(2, calibration=True), ("A", "B"), strict=True):
        boxes.append(Box(name, brand, (20, 20, 120, 100)))
    for box in boxes:  # noise, the box painted white: no region may hold a white pixel
        rgb = rng.integers(0, 200, (480, 640, 3), np.uint8)
        x0, y0, x1, y1 = box.box
        rgb[y0:y1, x0:x1] = 255
        Image.fromarray(rgb).save(root / "images" / box.image, format="PNG")
    return DevSet(root, {"A": {"name": "A"}, "B": {"name": "B"}}, boxes, [], set(), set())


def test_regions_avoid_boxes_are_stable_and_ignore_the_photos_own_brands(tmp_path: Path,
                                                                          monkeypatch: Any) -> None:
    dev = _dev(tmp_path)
    a_photo, b_photo = _names(2, calibration=True)
    monkeypatch.setattr(validation, "UNBOXED_MARKS", {b_photo: frozenset({"C"})})
    two = validation_photos(dev, seed=7, regions=2)
    five = validation_photos(dev, seed=7, regions=5)
    assert [p.name for p in two if "#bg" not in p.name] == [a_photo, b_photo]
    by_name = {p.name: p for p in five}
    for photo in two:  # a photo's first regions are the same however many are drawn
        assert np.array_equal(photo.rgb, by_name[photo.name].rgb)
    assert by_name[a_photo].present == {"A"} and by_name[a_photo].ignored == frozenset()
    assert by_name[b_photo].present == {"B"} and by_name[b_photo].ignored == {"C"}
    regions = [p for p in five if "#bg" in p.name]
    assert len(regions) == 10 and all(not p.present for p in regions)
    for region in regions:
        owner = region.name.split("#")[0]
        assert region.ignored == ({"A"} if owner == a_photo else {"B", "C"})
        assert min(region.rgb.shape[:2]) >= 96 and region.rgb.max() < 255


class _Candidates:
    """A signal whose photos each yield one proposal per brand A, B and C."""

    def detect_all(self, rgb: np.ndarray) -> list[Any]:
        from screening.image.calibration import CandidateFeatures
        from screening.image.detector import Candidate

        features = CandidateFeatures(0.5, 0.5, 0.0, 0, 0.0, 0.0)
        return [Candidate(b, None, b, (0, 0, 1, 1), features, 0.0) for b in ("A", "B", "C")]


def test_collect_labels_present_brands_and_drops_ignored_ones() -> None:
    rgb = np.zeros((8, 8, 3), np.uint8)
    photos = [ValidationPhoto("p.jpg", rgb, frozenset({"A"}), frozenset({"C"})),
              ValidationPhoto("p.jpg#bg0", rgb, frozenset(), frozenset({"A", "C"}))]
    samples = collect(cast(Any, _Candidates()), photos)
    assert [(s.image, s.brand, s.positive) for s in samples] == [
        ("p.jpg", "A", True), ("p.jpg", "B", False), ("p.jpg#bg0", "B", False)]


def test_split_metrics_count_unreached_pairs_leaders_and_flagged_regions() -> None:
    from screening.image.validation import Sample, split_metrics

    rgb = np.zeros((8, 8, 3), np.uint8)
    photos = [ValidationPhoto("p.jpg", rgb, frozenset({"A", "B"})),
              ValidationPhoto("q.jpg", rgb, frozenset({"A"})),
              ValidationPhoto("p.jpg#bg0", rgb, frozenset())]
    f = np.zeros(12)
    scored = [(Sample("p.jpg", "A", True, f), 0.9), (Sample("p.jpg", "C", False, f), 0.4),
              (Sample("q.jpg", "C", False, f), 0.7), (Sample("q.jpg", "A", True, f), 0.6),
              (Sample("p.jpg#bg0", "C", False, f), 0.5)]
    m = split_metrics(scored, photos)
    assert (m.missed, m.positives) == (1, 3)  # B on p.jpg got no proposal
    assert (m.first, m.logo_photos) == (1, 2)  # q.jpg's leader is C
    assert (m.flagged, m.regions) == (1, 1)
    assert 0 < m.ap < 1 and m.recall_at_p98 == pytest.approx(1 / 3)
    assert m.reported == 1  # the region's one brand
    floored = split_metrics(scored, photos, report_floor=0.95)
    assert (floored.first, floored.reported) == (0, 0)  # p.jpg's leader scores under the floor
    assert split_metrics(scored, photos, report_floor=0.55).first == 1
    assert "(1 of 3 pairs got no proposal), right brand first 1/2" in m.summary()
