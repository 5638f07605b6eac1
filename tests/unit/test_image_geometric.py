"""Whole-photo keypoint proposals: a small, tilted mark is boxed where it was pasted, found
through the catalogue-wide descriptor index among other brands' marks."""

from __future__ import annotations

import numpy as np
import pytest

from screening.image.calibration import Calibration
from screening.image.detector import DetectorConfig, LogoDetector, iou
from screening.image.embed import DEFAULT_WEIGHTS
from screening.image.keypoint_index import CODEBOOK_FILE, KeypointIndex, empty_index
from screening.image.verify import KeypointSet, reference_keypoints
from tests.api.test_logo_signal import background, draw_mark, paste


class _NoEmbedder:
    """Geometric proposals need no embeddings."""


def _checker_mark(seed: int) -> np.ndarray:
    """A textured square unlike `draw_mark`: another brand's mark."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 2, (8, 8)).astype(np.uint8) * 255
    tile = np.kron(cells, np.ones((25, 25), np.uint8))
    return np.stack([tile, 255 - tile, tile // 2], axis=-1)


@pytest.fixture()
def catalogue() -> KeypointIndex:
    index = KeypointIndex(empty_index(DEFAULT_WEIGHTS / CODEBOOK_FILE))
    index.add("brand", "m1", reference_keypoints(draw_mark(200)))
    for i in range(3):
        index.add(f"other{i}", f"o{i}", reference_keypoints(_checker_mark(i)))
    return index


def _proposals(catalogue: KeypointIndex, scene: np.ndarray) -> list[tuple[str, np.ndarray]]:
    detector = LogoDetector(_NoEmbedder(), Calibration(), DetectorConfig())  # type: ignore[arg-type]

    def match_photo(photo: KeypointSet, least: int):  # type: ignore[no-untyped-def]
        return catalogue.match(photo, least)

    return detector._geometric_proposals(scene, match_photo)


def test_small_tilted_mark_is_boxed_from_whole_photo_keypoints(catalogue: KeypointIndex) -> None:
    scene = paste(background(800, 600, 5), draw_mark(200), 520, 380, 110, 12.0)
    found = _proposals(catalogue, scene)
    assert [brand for brand, _ in found] == ["brand"]
    assert iou(found[0][1], (520, 380, 630, 490)) > 0.5


def test_unrelated_photo_gives_no_geometric_proposal(catalogue: KeypointIndex) -> None:
    assert _proposals(catalogue, background(800, 600, 6)) == []


def test_removed_mark_is_no_longer_matched(catalogue: KeypointIndex) -> None:
    scene = paste(background(800, 600, 5), draw_mark(200), 300, 200, 160, 0.0)
    assert [brand for brand, _ in _proposals(catalogue, scene)] == ["brand"]
    before = catalogue.descriptors
    catalogue.remove("m1")
    assert catalogue.descriptors < before and len(catalogue) == 3
    assert _proposals(catalogue, scene) == []
    catalogue.remove("m1")  # removing twice is a no-op


def test_index_must_be_trained_and_empty() -> None:
    import faiss

    with pytest.raises(ValueError):
        KeypointIndex(faiss.IndexFlatL2(128))
