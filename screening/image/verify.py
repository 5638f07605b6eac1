"""Geometric verification: SIFT keypoints, ratio-test matching and RANSAC in OpenCV."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

REF_SIDE = 256
REGION_SIDE = 320
_RATIO = 0.8


@dataclass(frozen=True)
class KeypointSet:
    """Keypoint coordinates (N, 2) in the image they came from, RootSIFT descriptors (N, 128)."""

    points: np.ndarray
    descriptors: np.ndarray
    width: int
    height: int


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
    return keypoints(rgb, REF_SIDE)


def expand_box(box: np.ndarray | tuple[float, ...], factor: float, w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (float(v) for v in box)
    cx, cy, bw, bh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * factor, (y1 - y0) * factor
    return (max(0, int(cx - bw / 2)), max(0, int(cy - bh / 2)),
            min(w, int(np.ceil(cx + bw / 2))), min(h, int(np.ceil(cy + bh / 2))))


def region_keypoints(rgb: np.ndarray, region: tuple[int, int, int, int]) -> KeypointSet:
    """Keypoints of a photo region, in the photo's pixel coordinates."""
    x0, y0, x1, y1 = region
    crop = rgb[y0:y1, x0:x1]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return KeypointSet(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), 0, 0)
    found = keypoints(crop, REGION_SIDE)
    return KeypointSet(found.points + np.array([x0, y0], np.float32), found.descriptors,
                       found.width, found.height)


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
