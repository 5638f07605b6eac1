"""Keypoint verification: a mark warped into a photo is matched and boxed; noise is not."""

from __future__ import annotations

import cv2
import numpy as np

from screening.image.verify import (
    expand_box,
    group_keypoints,
    group_regions,
    match,
    reference_keypoints,
    region_keypoints,
)
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


def test_overlapping_regions_of_one_size_share_a_pass_and_others_do_not() -> None:
    a, b = (100, 100, 300, 300), (140, 120, 340, 320)  # same size, mostly overlapping
    far = (400, 300, 600, 480)  # same size, elsewhere
    big = (90, 90, 500, 500)  # overlaps both, twice the size
    groups = group_regions([a, b, far, big, a])
    by_member = {m: g for g in groups for m in g.members}
    assert by_member[a] is by_member[b]
    assert by_member[far] is not by_member[a] and by_member[big] is not by_member[a]
    assert by_member[a].union == (100, 100, 340, 320) and by_member[a].finest == 200
    assert sorted(m for g in groups for m in g.members) == sorted({a, b, far, big})


def test_a_shared_pass_verifies_each_member_inside_its_own_region() -> None:
    mark = draw_mark(200)
    scene = background(640, 480, 7)
    small = cv2.resize(mark, (140, 140), interpolation=cv2.INTER_AREA)
    scene[170:310, 250:390] = small
    inner, shifted = (200, 120, 440, 350), (230, 140, 470, 370)
    (group,) = group_regions([inner, shifted])
    found = group_keypoints(scene, group)
    for region in (inner, shifted):
        kps = found[region]
        x0, y0, x1, y1 = region
        assert len(kps.points) and (kps.points >= [x0, y0]).all() and (kps.points < [x1, y1]).all()
        result = match(reference_keypoints(mark), kps)
        assert result.inliers >= 12 and result.box is not None
        assert abs(result.box[0] - 250) < 15 and abs(result.box[3] - 310) < 15
