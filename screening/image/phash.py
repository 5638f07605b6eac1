"""Perceptual hashing (Meta's PDQ) for near-copies of a brand's own product photos.

A 256-bit hash is stored as a ±1 vector, so cosine similarity in the brand index is
`1 - 2 * hamming / 256` and the space rebuilds from the database like any other.
"""

from __future__ import annotations

import numpy as np
import pdqhash

BITS = 256
# PDQ's published match threshold is a Hamming distance of 31 of 256 bits.
MATCH_DISTANCE = 31
MIN_QUALITY = 40


def pdq_bits(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """(256 bits as uint8, quality 0-100). Low quality means a flat image, unreliable to match."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return bits.astype(np.uint8), int(quality)


def bits_to_vector(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.float32) * 2.0 - 1.0).reshape(1, BITS)


def cosine_to_distance(cosine: float) -> int:
    return round((1.0 - cosine) * BITS / 2)


def distance_score(distance: int) -> float:
    """Probability-like score for a PDQ distance: 0.97 for identical, 0.6 at the threshold."""
    if distance > MATCH_DISTANCE:
        return 0.0
    return float(0.97 - 0.37 * distance / MATCH_DISTANCE)
