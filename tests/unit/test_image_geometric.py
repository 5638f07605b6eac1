"""Whole-photo keypoint proposals: a small, tilted mark is boxed where it was pasted."""

from __future__ import annotations

from screening.image.calibration import Calibration
from screening.image.detector import DetectorConfig, LogoDetector, iou
from screening.image.verify import reference_keypoints
from tests.api.test_logo_signal import background, draw_mark, paste


class _NoEmbedder:
    """Geometric proposals need no embeddings."""


def test_small_tilted_mark_is_boxed_from_whole_photo_keypoints() -> None:
    mark = draw_mark(200)
    scene = paste(background(800, 600, 5), mark, 520, 380, 110, 12.0)
    detector = LogoDetector(_NoEmbedder(), Calibration(), DetectorConfig())  # type: ignore[arg-type]
    refs = [("m1", reference_keypoints(mark))]
    shortlist = [("brand", [(0.42, 0)]), ("other", [(0.40, 1)])]
    found = detector._geometric_proposals(scene, shortlist, lambda b: refs if b == "brand" else [])
    assert [brand for brand, _, _ in found] == ["brand"]
    _, window_sim, box = found[0]
    assert window_sim == 0.42
    assert iou(box, (520, 380, 630, 490)) > 0.5


def test_unrelated_photo_gives_no_geometric_proposal() -> None:
    detector = LogoDetector(_NoEmbedder(), Calibration(), DetectorConfig())  # type: ignore[arg-type]
    refs = [("m1", reference_keypoints(draw_mark(200)))]
    found = detector._geometric_proposals(background(800, 600, 6), [("brand", [(0.5, 0)])],
                                          lambda b: refs)
    assert found == []
