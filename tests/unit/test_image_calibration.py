"""Score calibration: the logistic fit separates, round-trips through JSON, and is monotone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from screening.image.calibration import FEATURES, Calibration, CandidateFeatures, fit_logistic
from screening.image.detector import Candidate, with_photo_margins
from screening.image.evaluation import average_precision, compute_metrics, recall_at_precision


def test_fit_separates_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    pos = rng.normal(0.8, 0.05, (50, len(FEATURES)))  # every feature higher for logos
    neg = rng.normal(0.5, 0.05, (200, len(FEATURES)))
    cal = fit_logistic(np.vstack([pos, neg]), np.r_[np.ones(50), np.zeros(200)], note="synthetic")
    assert min(cal.probability_of(v) for v in pos) > 0.8
    assert max(cal.probability_of(v) for v in neg) < 0.2
    cal.save(tmp_path / "c.json")
    again = Calibration.load(tmp_path / "c.json")
    assert again.probability_of(pos[0]) == cal.probability_of(pos[0])


def test_a_calibration_for_other_features_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text(
        '{"weights": [1, 1, 1, 1, 1, 1], "bias": 0, "mean": [0, 0, 0, 0, 0, 0], '
        '"scale": [1, 1, 1, 1, 1, 1], "fitted_on": "six features"}')
    with pytest.raises(ValueError, match="refit"):
        Calibration.load(tmp_path / "old.json")


def test_more_inliers_never_lower_the_default_score() -> None:
    cal = Calibration()
    scores = [cal.probability(CandidateFeatures(0.6, 0.6, 0.05, n, 0.1, 0.0)) for n in (0, 4, 16, 64)]
    assert scores == sorted(scores)


def test_four_inliers_are_no_evidence_and_more_are() -> None:
    def vector(inliers: int) -> np.ndarray:
        return CandidateFeatures(0.6, 0.6, 0.05, inliers, 0.1, 0.0).vector()

    assert np.array_equal(vector(0), vector(4))
    assert vector(5)[3] == pytest.approx(np.log(2)) and vector(20)[3] > vector(5)[3]


def test_photo_margins_compare_each_brand_with_the_best_other_brand() -> None:
    def cand(brand: str, crop: float, inliers: int) -> Candidate:
        return Candidate(brand, None, brand, (0, 0, 8, 8),
                         CandidateFeatures(crop, 0.5, 0.0, inliers, 0.0, 0.0), 0.0)

    a1, a2, b = with_photo_margins([cand("A", 0.7, 15), cand("A", 0.4, 0), cand("B", 0.5, 3)])
    assert a1.features.photo_crop_margin == pytest.approx(0.2)
    assert a2.features.photo_crop_margin == pytest.approx(-0.1)  # its brand's other window
    assert b.features.photo_crop_margin == pytest.approx(-0.2)  # against A's best, not A's worst
    # inlier evidence counts inliers beyond a trivial homography's 4: log(1 + 11) against 0
    assert a1.features.photo_inlier_margin == pytest.approx(np.log(12))
    assert b.features.photo_inlier_margin == pytest.approx(-np.log(12))
    assert a1.features.photo_crop_mid_margin == 0.0  # no mid-level similarity given: 0 - 0
    (alone,) = with_photo_margins([cand("C", 0.6, 7)])
    assert alone.features.photo_crop_margin == pytest.approx(0.6)
    assert alone.features.photo_inlier_margin == pytest.approx(np.log(4))


def test_metrics_on_a_known_ranking() -> None:
    scores, labels = np.array([0.9, 0.8, 0.7, 0.1]), np.array([1, 0, 1, 0])
    assert abs(average_precision(scores, labels) - (1 + 2 / 3) / 2) < 1e-9
    assert recall_at_precision(scores, labels, 0.98) == 0.5
    per_photo = [("a", "X", {"X": 0.9, "Y": 0.2}), ("b", "Y", {"X": 0.8}), ("c", "none", {"Y": 0.6})]
    m = compute_metrics(per_photo, ["X", "Y"], also_present={("b", "X")})
    assert m.positives == 2 and m.pairs == 5 and m.top1 == 0.5 and m.no_logo_flag_rate == 1.0
