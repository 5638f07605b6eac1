"""Synthetic composites: a pasted mark's box is where its pixels went."""

from __future__ import annotations

import numpy as np

from screening.image.synth import paste_with_box


def test_the_box_of_a_pasted_mark_bounds_its_pixels() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        background = np.zeros((384, 512, 3), np.uint8)
        rgba = np.zeros((60, 90, 4), np.float32)
        rgba[..., :3] = 255.0
        rgba[..., 3] = 255.0
        out, (x0, y0, x1, y1) = paste_with_box(background, rgba, rng, (0.1, 0.5), spread=0.6)
        assert out.shape == background.shape
        ys, xs = np.nonzero(out.max(axis=2) > 0)
        assert 0 <= x0 < x1 <= 512 and 0 <= y0 < y1 <= 384
        assert xs.min() >= x0 and xs.max() < x1 and ys.min() >= y0 and ys.max() < y1
        assert (x1 - x0) / (y1 - y0) > 1.2  # the mark's aspect is kept
        assert out[y0:y1, x0:x1].max() > 0 and out[:y0].max(initial=0) == 0
