"""Colour signatures: which hues a mark is printed in, robust to size and noise."""

from __future__ import annotations

import cv2
import numpy as np

from screening.image.colour import SIGNATURE_DIM, colour_signature, colour_similarity
from screening.image.verify import reference_keypoints
from tests.api.test_logo_signal import background, draw_mark, paste


def _flat(rgb: tuple[int, int, int], side: int = 40) -> np.ndarray:
    return np.full((side, side, 3), rgb, np.uint8)


def test_signatures_are_unit_and_tell_hues_apart() -> None:
    red, blue, white = (colour_signature(_flat(c)) for c in ((220, 20, 20), (20, 40, 220), (255, 255, 255)))
    for signature in (red, blue, white):
        assert signature.shape == (SIGNATURE_DIM,) and abs(float(np.sum(signature ** 2)) - 1) < 1e-5
    assert colour_similarity(red, red) > 0.999
    assert colour_similarity(red, blue) < 0.05
    assert colour_similarity(white, red) < 0.05
    assert colour_similarity(white, colour_signature(_flat((30, 30, 30)))) > 0.999  # both achromatic


def test_a_mark_keeps_its_signature_small_and_noisy_and_loses_it_recoloured() -> None:
    mark = draw_mark(200)
    rng = np.random.default_rng(3)
    small = cv2.resize(mark, (48, 48), interpolation=cv2.INTER_AREA)
    noisy = np.clip(small.astype(np.int16) + rng.normal(0, 8, small.shape), 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(mark, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + 60) % 180  # every hue turned by 120 degrees
    recoloured = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    reference = colour_signature(mark)
    assert colour_similarity(reference, colour_signature(noisy)) > 0.9
    assert colour_similarity(reference, colour_signature(recoloured)) < 0.6


def test_tiny_and_one_pixel_images_have_a_signature() -> None:
    assert colour_signature(_flat((200, 30, 30), side=1)).shape == (SIGNATURE_DIM,)
    assert np.isfinite(colour_signature(np.zeros((1, 3, 3), np.uint8))).all()


def test_reference_keypoints_carry_the_marks_colours_and_a_crop_of_it_matches() -> None:
    mark = draw_mark(200)
    reference = reference_keypoints(mark)
    assert reference.colour is not None
    scene = paste(background(640, 480, 5), mark, 200, 120, 160, 0)
    crop = scene[110:290, 190:370]
    elsewhere = scene[300:470, 420:630]
    assert colour_similarity(reference.colour, colour_signature(crop)) > \
        colour_similarity(reference.colour, colour_signature(elsewhere)) + 0.2
