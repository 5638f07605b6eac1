"""Keypoint verification: a mark warped into a photo is matched and boxed; noise is not."""

from __future__ import annotations

import cv2
import numpy as np

from screening.image.verify import expand_box, match, reference_keypoints, region_keypoints
from tests.api.test_logo_signal import background, draw_mark


def test_warped_mark_is_verified_with_a_tight_box() -> None:
    mark = draw_mark(200)
    scene = background(640, 480, 7)
    side = 140
    small = cv2.resize(mark, (side, side), interpolation=cv2.INTER_AREA)
    src = np.float32([[0, 0], [side, 0], [side, side], [0, side]])
    dst = np.float32([[250, 160], [390, 175], [380, 310], [245, 300]])
    warp = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(small, warp, (640, 480), borderValue=(255, 255, 255))
    ink = warped.min(axis=2) < 235
    scene[ink] = warped[ink]
    result = match(reference_keypoints(mark), region_keypoints(scene, (200, 120, 440, 350)))
    assert result.inliers >= 12
    assert result.box is not None
    x0, y0, x1, y1 = result.box
    assert abs(x0 - 245) < 15 and abs(y0 - 160) < 15 and abs(x1 - 390) < 15 and abs(y1 - 310) < 15


def test_unrelated_region_has_few_inliers() -> None:
    result = match(reference_keypoints(draw_mark(200)), region_keypoints(background(640, 480, 8), (0, 0, 640, 480)))
    assert result.inliers < 8


def test_expand_box_stays_inside_the_image() -> None:
    assert expand_box((10, 10, 30, 30), 2.0, 35, 100) == (0, 0, 35, 40)
