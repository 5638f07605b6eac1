"""The detector's brand shortlist: brands ranked by embedding (or in-context) plus mid-level
similarity, each proposal carrying the rankings as features."""

from __future__ import annotations

import numpy as np

from screening.image.calibration import Calibration
from screening.image.colour import colour_signature
from screening.image.detector import DetectorConfig, LogoDetector, Lookups
from screening.image.embed import MID_DIM, Windows
from screening.image.verify import KeypointSet
from screening.index.brand_index import IndexHit
from tests.unit.brand_rows import group_hits

HEAD_BRANDS = ("h1", "h2", "h3", "h4", "h5")


class _FixedWindows:
    """Six windows in a row; unit vectors whose values the fake searches ignore."""

    def embed_windows(self, rgb: np.ndarray, long_side: int, sizes: tuple[int, ...]) -> Windows:
        boxes = np.array([[100 * i, 0, 100 * i + 90, 90] for i in range(6)], np.float32)
        vectors = np.tile(np.eye(1, 8, dtype=np.float32), (6, 1))
        mids = np.tile(np.eye(1, MID_DIM, dtype=np.float32), (6, 1))
        return Windows(boxes, vectors, mids)

    def embed_views(self, crops: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return (np.tile(np.eye(1, 8, dtype=np.float32), (len(crops), 1)),
                np.tile(np.eye(1, MID_DIM, dtype=np.float32), (len(crops), 1)))


def _hits(brands: tuple[str, ...], top: float) -> list[IndexHit]:
    return [IndexHit(i, brand, f"{brand}-mark", brand, top - 0.05 * i) for i, brand in enumerate(brands)]


def _lookups(with_mid: bool, with_context: bool = False,
             colours: dict[str, np.ndarray] | None = None) -> Lookups:
    def search(vectors: np.ndarray, k: int) -> list[list[IndexHit]]:
        return [_hits(HEAD_BRANDS, 0.6) for _ in range(len(vectors))]

    def search_mid(vectors: np.ndarray, k: int) -> list[list[IndexHit]]:
        rows = [_hits(HEAD_BRANDS, 0.5) for _ in range(len(vectors))]
        rows[4] = _hits(("m", *HEAD_BRANDS), 0.9)  # only the mid-level ranking finds 'm'
        return rows

    def search_context(vectors: np.ndarray, k: int) -> list[list[IndexHit]]:
        rows = [_hits(HEAD_BRANDS, 0.3) for _ in range(len(vectors))]
        rows[2] = [IndexHit(99, "c", "c-mark", "c in context", 0.98), *rows[2]]  # only here
        return rows

    def keypoints_of(brand: str) -> list[tuple[str, KeypointSet]]:  # no keypoints; a mark's colours
        if colours is None or brand not in colours:
            return []
        return [(f"{brand}-mark", KeypointSet(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32),
                                              10, 10, colour=colours[brand]))]

    return Lookups(search, keypoints_of, lambda photo, least: [], lambda vector, brand: None,
                   lambda vectors, k: group_hits(search(vectors, k)),
                   (lambda vectors, k: group_hits(search_mid(vectors, k))) if with_mid else None,
                   group_context=(lambda vectors, k: group_hits(search_context(vectors, k)))
                   if with_context else None)


def _detect(config: DetectorConfig, with_mid: bool, with_context: bool = False,
            colours: dict[str, np.ndarray] | None = None, rgb: np.ndarray | None = None) -> dict[str, list]:
    detector = LogoDetector(_FixedWindows(), Calibration(), config)  # type: ignore[arg-type]
    rgb = np.full((120, 620, 3), 128, np.uint8) if rgb is None else rgb
    found: dict[str, list] = {}
    for cand in detector.detect_all(rgb, _lookups(with_mid, with_context, colours)):
        found.setdefault(cand.brand_id, []).append(cand)
    return found


def test_shortlist_ranks_brands_by_embedding_plus_mid_level_similarity() -> None:
    found = _detect(DetectorConfig(brands_per_image=4), with_mid=True)
    # sums: h1 0.6 + 0.85, h2 0.55 + 0.8, m 0.4 (no embedding hit: the floor) + 0.9, h3 0.5 + 0.75
    assert set(found) == {"h1", "h2", "m", "h3"}
    (mid_only,) = found["m"]
    assert tuple(mid_only.box) == (400, 0, 490, 90)  # the window where it was found
    floor = 0.6 - 0.05 * (len(HEAD_BRANDS) - 1)
    assert np.isclose(mid_only.features.window_sim, floor)  # not among the embedding hits
    assert np.isclose(mid_only.features.mid_sim, 0.9)
    assert np.isclose(mid_only.features.mid_margin, 0.9 - 0.85)  # over h1, second in window 4
    leader = max(found["h1"], key=lambda c: c.features.window_sim)
    assert np.isclose(leader.features.window_sim, 0.6)
    assert np.isclose(leader.features.mid_margin, 0.85 - 0.9)  # 'h1' is second in window 4


def test_each_brand_proposes_its_best_embedding_window_and_its_best_mid_level_window() -> None:
    found = _detect(DetectorConfig(brands_per_image=4, windows_per_brand=1, mid_windows_per_brand=1),
                    with_mid=True)
    # h1's embedding ties in every window (the first is taken); its mid-level best is window 4
    assert [tuple(c.box) for c in found["h1"]] == [(0, 0, 90, 90), (400, 0, 490, 90)]
    head_only = _detect(DetectorConfig(brands_per_image=4, windows_per_brand=1, mid_windows_per_brand=0),
                        with_mid=True)
    assert [tuple(c.box) for c in head_only["h1"]] == [(0, 0, 90, 90)]
    assert "m" not in head_only  # it has no embedding window to propose
    two = _detect(DetectorConfig(brands_per_image=4, windows_per_brand=2, mid_windows_per_brand=1),
                  with_mid=True)
    assert [tuple(c.box) for c in two["h2"]] == [(0, 0, 90, 90), (100, 0, 190, 90), (400, 0, 490, 90)]


def test_without_mid_level_search_the_shortlist_is_the_embedding_one() -> None:
    found = _detect(DetectorConfig(brands_per_image=4, windows_per_brand=1), with_mid=False)
    assert set(found) == set(HEAD_BRANDS[:4])
    assert all(len(cands) == 1 for cands in found.values())


def test_a_brand_only_its_in_context_views_find_is_shortlisted_at_that_window() -> None:
    found = _detect(DetectorConfig(brands_per_image=4), with_mid=True, with_context=True)
    # c: in-context 0.98 (over its embedding floor 0.4) + the mid-level floor 0.3 = 1.28 puts it
    # above h3 (0.5 + 0.75); the h brands' in-context 0.3 is under their embedding similarity
    assert set(found) == {"h1", "h2", "m", "c"}
    (context_only,) = found["c"]
    assert tuple(context_only.box) == (200, 0, 290, 90)
    assert np.isclose(context_only.features.context_sim, 0.98)
    assert np.isclose(context_only.features.window_sim, 0.6 - 0.05 * (len(HEAD_BRANDS) - 1))  # its own
    assert all(np.isclose(c.features.context_sim, 0.3) for c in found["h1"])
    plain = _detect(DetectorConfig(brands_per_image=4), with_mid=True)
    assert len(found["h1"]) == len(plain["h1"])  # its views beat its in-context ones: no extra window
    without = _detect(DetectorConfig(brands_per_image=4, context_windows_per_brand=0), with_mid=True,
                      with_context=True)
    assert "c" not in without and "h3" not in without  # shortlisted, but with no window to propose


def test_each_proposal_carries_its_crops_colours_against_the_brands_marks() -> None:
    red_photo = np.zeros((120, 620, 3), np.uint8)
    red_photo[..., 0] = 210
    red, blue = colour_signature(red_photo), colour_signature(red_photo[..., ::-1].copy())
    colours = {brand: red if brand == "h5" else blue for brand in HEAD_BRANDS}
    found = _detect(DetectorConfig(brands_per_image=5, windows_per_brand=1), with_mid=False,
                    colours=colours, rgb=red_photo)
    assert set(found) == set(HEAD_BRANDS)
    assert all(c.features.colour_sim > 0.99 for c in found["h5"])
    assert all(c.features.colour_sim < 0.01 for b in HEAD_BRANDS[:4] for c in found[b])
    plain = _detect(DetectorConfig(brands_per_image=5, windows_per_brand=1), with_mid=False, rgb=red_photo)
    assert all(c.features.colour_sim == 0.0 for cands in plain.values() for c in cands)  # no marks' colours
