"""The embedder: helpers, BatchNorm folding, and ONNX Runtime agreeing with torch."""

from __future__ import annotations

import copy

import cv2
import numpy as np
import pytest
import torch

from models.logo_embedder import EmbedderConfig, LogoEmbedder
from screening.image.embed import MarkEmbedder, to_square, trim_uniform_border
from screening.image.runtime import TorchTrunk
from screening.image.signal import ImageSignal
from screening.types import Signal


@pytest.fixture(scope="module")
def embedder(signals: list[Signal]) -> MarkEmbedder:
    image = [s for s in signals if isinstance(s, ImageSignal)]
    assert image, "default_signals must include the image signal"
    return image[0].embedder


def test_trim_and_square() -> None:
    img = np.full((50, 80, 3), 255, np.uint8)
    img[10:20, 30:60] = 0
    assert trim_uniform_border(img).shape == (10, 30, 3)
    assert to_square(img, 64).shape == (64, 64, 3)


def test_batchnorm_folding_keeps_outputs() -> None:
    model = LogoEmbedder(EmbedderConfig(dim=32)).eval()
    for module in model.modules():  # non-trivial statistics, so folding has work to do
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    x = torch.rand(2, 3, 64, 96)
    with torch.inference_mode():
        before = model(x)
        after = copy.deepcopy(model).fuse_batchnorm()(x)
    assert torch.allclose(before, after, atol=1e-4)


def test_service_trunk_agrees_with_torch(embedder: MarkEmbedder) -> None:
    x = np.random.default_rng(0).random((2, 3, 96, 160), dtype=np.float32)
    reference = TorchTrunk(embedder.model)(x)
    served = embedder.trunk(x)
    assert served[0].shape == (2, 1280, 3, 5) and served[1].shape == (2, 192, 6, 10)
    for mine, theirs in zip(served, reference, strict=True):
        assert np.allclose(mine, theirs, atol=1e-3)


def test_static_same_padding_equals_computed_padding_on_multiples_of_32() -> None:
    model = LogoEmbedder(EmbedderConfig(dim=32)).eval()
    x = torch.rand(1, 3, 64, 96)
    with torch.inference_mode():
        computed = model.features_with_mid(x)
        model.set_static_padding(True)
        static = model.features_with_mid(x)
        model.set_static_padding(False)
    for a, b in zip(computed, static, strict=True):
        assert torch.allclose(a, b, atol=1e-5)


def test_embeddings_are_unit_and_views_of_a_mark_are_close(embedder: MarkEmbedder) -> None:
    from tests.api.test_logo_signal import background, draw_mark, paste

    mark = draw_mark(160)
    scene = paste(background(400, 300, 5), mark, 120, 80, 140, 10)
    vectors, _ = embedder.embed_views([mark, scene[80:220, 120:260], background(140, 140, 6)])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    windows = embedder.embed_windows(scene, 512, (1, 2, 4))
    assert len(windows.boxes) == len(windows.vectors) > 0
    assert (windows.boxes[:, 2] <= 400 + 1).all() and (windows.boxes[:, 3] <= 300 + 1).all()


def test_mid_level_descriptors_are_unit_and_follow_the_mark(embedder: MarkEmbedder) -> None:
    from tests.api.test_logo_signal import background, draw_mark, paste

    mark = draw_mark(160)
    scene = paste(background(400, 300, 5), mark, 120, 80, 140, 10)
    heads, mids = embedder.embed_views([mark, scene[80:220, 120:260], background(140, 140, 6)])
    alone_head, alone_mid = embedder.embed_views([mark])  # a crop's vectors do not depend on its batch
    assert np.allclose(alone_head[0], heads[0], atol=1e-5) and np.allclose(alone_mid[0], mids[0], atol=1e-5)
    assert mids.shape == (3, 192) and np.allclose(np.linalg.norm(mids, axis=1), 1.0, atol=1e-4)
    assert mids[0] @ mids[1] > mids[0] @ mids[2]
    windows = embedder.embed_windows(scene, 512, (1, 2, 4))
    assert windows.mid.shape == (len(windows.boxes), 192)
    assert np.allclose(np.linalg.norm(windows.mid, axis=1), 1.0, atol=1e-4)
    best = windows.boxes[int(np.argmax(windows.mid @ mids[0]))]
    centre = ((best[0] + best[2]) / 2, (best[1] + best[3]) / 2)
    assert 120 - 40 <= centre[0] <= 260 + 40 and 80 - 40 <= centre[1] <= 220 + 40


def test_in_context_views_are_the_mark_s_window_on_a_flat_canvas(embedder: MarkEmbedder) -> None:
    from tests.api.test_logo_signal import draw_mark

    mark = draw_mark(160)
    vectors = embedder.embed_in_context(mark, (2, 4))
    assert vectors.shape == (2, embedder.dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # 2 cells: the mark at 0.9 of the 64-px window at cells (4, 4)-(6, 6) of a white 320-px canvas
    canvas = np.full((320, 320, 3), 255, np.uint8)
    canvas[131:189, 131:189] = cv2.resize(mark, (58, 58), interpolation=cv2.INTER_AREA)
    windows = embedder.embed_windows(canvas, 320, (2,))
    (at,) = [i for i, box in enumerate(windows.boxes) if tuple(int(v) for v in box) == (128, 128, 192, 192)]
    np.testing.assert_allclose(windows.vectors[at], vectors[0], atol=1e-4)
    assert float(vectors[0] @ vectors[1]) < 0.999  # a larger window sees the mark differently
    wide = embedder.embed_in_context(np.hstack([mark, mark]), (2,))  # fills a 2:1 window
    assert wide.shape == (1, embedder.dim) and embedder.embed_in_context(mark, ()).shape == (0, embedder.dim)
    with pytest.raises(ValueError, match="cannot hold"):
        embedder.embed_in_context(mark, (4,), canvas=6)


def test_window_embeddings_are_the_projected_pooled_windows(embedder: MarkEmbedder) -> None:
    rng = np.random.default_rng(3)
    photo = rng.integers(0, 256, (300, 420, 3), dtype=np.uint8)
    windows = embedder.embed_windows(photo, 256, (1, 2, 4))
    boxes, pooled, mids = embedder.pool_windows(photo, 256, (1, 2, 4))
    assert pooled.shape == (len(boxes), 1280) and np.array_equal(boxes, windows.boxes)
    with torch.inference_mode():
        projected = embedder.model.project(torch.from_numpy(pooled)).numpy()
    np.testing.assert_allclose(projected, windows.vectors, atol=1e-5)
    np.testing.assert_array_equal(mids, windows.mid)
    assert boxes[:, 2].max() <= 420 + 1e-3 and boxes[:, 3].max() <= 300 + 1e-3


def test_pooled_windows_are_the_gem_of_each_window_of_the_maps(embedder: MarkEmbedder) -> None:
    from models.logo_embedder import gem
    from screening.image.embed import FEATURE_STRIDE, mid_descriptor, window_grid

    rng = np.random.default_rng(5)
    photo = rng.integers(0, 256, (200, 330, 3), dtype=np.uint8)
    boxes, pooled, mids = embedder.pool_windows(photo, 320, (1, 2, 3))
    resized = cv2.resize(photo, (320, 192), interpolation=cv2.INTER_AREA)
    head, mid = (torch.from_numpy(m) for m in embedder.trunk(embedder._array([resized])))
    cells = window_grid(head.shape[-2], head.shape[-1], (1, 2, 3)).cells
    assert len(cells) == len(boxes) and {(int(b[3] - b[1]), int(b[2] - b[0])) for b in cells} == {
        (1, 1), (1, 2), (2, 1), (2, 2), (2, 4), (4, 2), (3, 3), (3, 6), (6, 3)}  # (h, w) on a 6x10 map
    np.testing.assert_allclose(boxes, cells * np.array([330 / 10, 200 / 6] * 2, np.float32), rtol=1e-6)
    p = embedder.config.gem_p
    for i in rng.choice(len(cells), 12, replace=False):
        x0, y0, x1, y1 = (int(v) for v in cells[i])
        expected = gem(head[:, :, y0:y1, x0:x1], p)[0].numpy()
        np.testing.assert_allclose(pooled[i], expected, rtol=1e-4, atol=1e-6)
        expected_mid = mid_descriptor(gem(mid[:, :, 2 * y0 : 2 * y1, 2 * x0 : 2 * x1], p))[0].numpy()
        np.testing.assert_allclose(mids[i], expected_mid, rtol=1e-4, atol=1e-6)
    assert FEATURE_STRIDE * head.shape[-1] == 320
