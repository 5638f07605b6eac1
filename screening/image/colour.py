"""Colour signatures: which hues a mark is printed in, compared between a photo crop and a
brand's reference marks.

The embedder's ImageNet features rank by shape and texture more than by colour, so two
brands whose marks share a silhouette (a red disc and a blue disc) can sit close together.
A signature is a soft histogram of hue over 12 bins, each pixel weighted by its chroma
(saturation × value), scaled by how colourful the image is (its chroma mass against
`COLOURFUL_SHARE` of its pixels at full chroma, at most 1), plus one bin for the rest
(achromatic: black, white, grey). Signatures are stored as square roots, so the
Bhattacharyya coefficient of two of them is their dot product (1 = the same colours).
"""

from __future__ import annotations

import cv2
import numpy as np

HUE_BINS = 12
SIGNATURE_DIM = HUE_BINS + 1
COLOURFUL_SHARE = 0.05  # chroma mass (as a share of pixels) from which an image counts as fully colourful
_SIDE = 64  # signatures are taken on a copy at most this long: colours need no detail


def colour_signature(rgb: np.ndarray) -> np.ndarray:
    """(SIGNATURE_DIM,) float32 square-rooted colour histogram of an RGB image."""
    h, w = rgb.shape[:2]
    scale = _SIDE / max(h, w, 1)
    if scale < 1:
        rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                         interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2HSV).reshape(-1, 3).astype(np.float32)
    hue = hsv[:, 0] / 180.0 * HUE_BINS  # OpenCV's hue is 0..180
    chroma = hsv[:, 1] / 255.0 * (hsv[:, 2] / 255.0)
    below = np.floor(hue - 0.5).astype(np.int64)  # split between the two nearest bin centres
    frac = hue - 0.5 - below
    hist = np.bincount(below % HUE_BINS, chroma * (1.0 - frac), HUE_BINS) + \
        np.bincount((below + 1) % HUE_BINS, chroma * frac, HUE_BINS)
    mass = float(hist.sum())
    colourful = min(1.0, mass / (COLOURFUL_SHARE * len(hsv)))
    shares = hist / mass * colourful if mass > 0 else hist
    return np.sqrt(np.clip(np.append(shares, 1.0 - colourful), 0.0, None)).astype(np.float32)


def colour_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya coefficient of two signatures, 0..1."""
    return float(np.clip(np.dot(a, b), 0.0, 1.0))
