"""Geometric verification: SIFT keypoints, ratio-test matching and RANSAC in OpenCV."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from screening.image.colour import colour_signature

REF_SIDE = 256
REGION_SIDE = 320  # a verification region's longest side for SIFT
REGION_FEATURES = 600
# Overlapping regions of one size share a SIFT pass over their union (the model card gives
# the latency and accuracy measured; sizes within 1.3x of each other lost on the split)
SHARE_BAND = 1.0
SHARE_GROWTH = 1.5
Region = tuple[int, int, int, int]
_RATIO = 0.8


@dataclass(frozen=True)
class KeypointSet:
    """Keypoint coordinates (N, 2) in the image they came from, RootSIFT descriptors (N, 128),
    and for a reference mark its colour signature (`screening.image.colour`)."""

    points: np.ndarray
    descriptors: np.ndarray
    width: int
    height: int
    colour: np.ndarray | None = None


@dataclass(frozen=True)
class Verification:
    inliers: int
    matches: int
    box: tuple[int, int, int, int] | None


_local = threading.local()


def _sift(features: int) -> cv2.SIFT:
    cache: dict[int, cv2.SIFT] | None = getattr(_local, "sift", None)
    if cache is None:
        cache = _local.sift = {}
    if features not in cache:
        cache[features] = cv2.SIFT.create(nfeatures=features, contrastThreshold=0.03)
    return cache[features]


def _root_sift(desc: np.ndarray) -> np.ndarray:
    desc = desc / np.maximum(desc.sum(axis=1, keepdims=True), 1e-7)
    return np.sqrt(desc).astype(np.float32)


def keypoints(rgb: np.ndarray, side: int, features: int = 600) -> KeypointSet:
    """SIFT (at most `features` keypoints) on a grey copy scaled so its longest side is
    `side`; points in original pixels."""
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey = cv2.resize(grey, (max(8, round(w * scale)), max(8, round(h * scale))),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    kps, desc = _sift(features).detectAndCompute(grey, None)
    if desc is None or not kps:
        return KeypointSet(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), w, h)
    points = np.array([kp.pt for kp in kps], np.float32) / scale
    return KeypointSet(points, _root_sift(desc), w, h)


def reference_keypoints(rgb: np.ndarray) -> KeypointSet:
    """What verification compares a region with: the mark's keypoints and colours."""
    return replace(keypoints(rgb, REF_SIDE), colour=colour_signature(rgb))


def expand_box(box: np.ndarray | tuple[float, ...], factor: float, w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (float(v) for v in box)
    cx, cy, bw, bh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * factor, (y1 - y0) * factor
    return (max(0, int(cx - bw / 2)), max(0, int(cy - bh / 2)),
            min(w, int(np.ceil(cx + bw / 2))), min(h, int(np.ceil(cy + bh / 2))))


def region_keypoints(rgb: np.ndarray, region: Region) -> KeypointSet:
    """Keypoints of a photo region, in the photo's pixel coordinates."""
    return group_keypoints(rgb, RegionGroup(region, _long_side(region), (region,)))[region]


@dataclass(frozen=True)
class RegionGroup:
    """Overlapping verification regions of nearly one size, whose keypoints come from one
    SIFT pass over their union at the scale of the smallest (`finest`: its longest side)."""

    union: Region
    finest: int
    members: tuple[Region, ...]


def group_regions(regions: Sequence[Region], band: float = SHARE_BAND,
                  growth: float = SHARE_GROWTH) -> list[RegionGroup]:
    """Regions, smallest first, each joined to the first group it overlaps whose smallest
    member's longest side is at most `band` times shorter and whose union grows to at most
    `growth` times the larger of the two areas; otherwise it starts a group of its own."""
    groups: list[tuple[Region, int, list[Region]]] = []
    for region in sorted(dict.fromkeys(regions), key=lambda r: (_long_side(r), r)):
        for i, (union, finest, members) in enumerate(groups):
            if _long_side(region) > band * finest or not _overlap(union, region):
                continue
            joined = (min(union[0], region[0]), min(union[1], region[1]),
                      max(union[2], region[2]), max(union[3], region[3]))
            if _area(joined) <= growth * max(_area(union), _area(region)):
                groups[i] = (joined, finest, [*members, region])
                break
        else:
            groups.append((region, _long_side(region), [region]))
    return [RegionGroup(union, finest, tuple(members)) for union, finest, members in groups]


def group_keypoints(rgb: np.ndarray, group: RegionGroup) -> dict[Region, KeypointSet]:
    """Each member's keypoints (photo pixels), from one SIFT pass over the group's union with
    the keypoint budget of `REGION_FEATURES` per member-sized area."""
    x0, y0, x1, y1 = group.union
    crop = rgb[y0:y1, x0:x1]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        empty = KeypointSet(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), 0, 0)
        return {member: empty for member in group.members}
    side = round(max(crop.shape[:2]) * REGION_SIDE / group.finest)
    unit = float(np.mean([_area(m) for m in group.members]))
    found = keypoints(crop, side, round(REGION_FEATURES * _area(group.union) / unit))
    points = found.points + np.array([x0, y0], np.float32)
    if len(group.members) == 1:  # every keypoint: rounding the resize can put one a fraction
        # of a pixel past the crop's edge, which the members' inside-test below would drop
        return {group.union: KeypointSet(points, found.descriptors, found.width, found.height)}
    out = {}
    for m in group.members:
        inside = (points[:, 0] >= m[0]) & (points[:, 0] < m[2]) & (points[:, 1] >= m[1]) & (points[:, 1] < m[3])
        out[m] = KeypointSet(points[inside], found.descriptors[inside], m[2] - m[0], m[3] - m[1])
    return out


def _long_side(region: Region) -> int:
    return max(region[2] - region[0], region[3] - region[1])


def _area(region: Region) -> int:
    return (region[2] - region[0]) * (region[3] - region[1])


def _overlap(a: Region, b: Region) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def match(reference: KeypointSet, query: KeypointSet) -> Verification:
    """Ratio-test matches, then a RANSAC homography; the box is the projected reference frame."""
    if len(reference.points) < 4 or len(query.points) < 4:
        return Verification(0, 0, None)
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    pairs = matcher.knnMatch(reference.descriptors, query.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
    if len(good) < 4:
        return Verification(0, len(good), None)
    src = reference.points[[m.queryIdx for m in good]]
    dst = query.points[[m.trainIdx for m in good]]
    return fit_frame(src, dst, reference.width, reference.height)


def fit_frame(src: np.ndarray, dst: np.ndarray, width: int, height: int) -> Verification:
    """RANSAC homography of matched points; the box is the projected `width` × `height`
    reference frame, None when the projection is degenerate."""
    if len(src) < 4:
        return Verification(0, len(src), None)
    homography, mask = cv2.findHomography(src, dst, cv2.RANSAC, 6.0, maxIters=500)
    if homography is None or mask is None:
        return Verification(0, len(src), None)
    inliers = int(mask.sum())
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]],
                       np.float32).reshape(-1, 1, 2)
    projected = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    if not _plausible(projected):
        return Verification(min(inliers, 4), len(src), None)
    x0, y0 = projected.min(axis=0)
    x1, y1 = projected.max(axis=0)
    return Verification(inliers, len(src), (int(x0), int(y0), int(x1), int(y1)))


def _plausible(quad: np.ndarray) -> bool:
    """Reject degenerate homographies: a convex quad of reasonable area and aspect."""
    if not np.isfinite(quad).all():
        return False
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    if not cv2.isContourConvex(contour):
        return False
    area = cv2.contourArea(contour)
    w, h = np.ptp(quad[:, 0]), np.ptp(quad[:, 1])
    return area > 64 and area > 0.25 * w * h and 0.05 < w / max(h, 1e-6) < 20
