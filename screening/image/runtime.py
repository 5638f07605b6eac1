"""Inference back-ends for the embedder's convolutional trunk: ONNX Runtime or torch.

ONNX Runtime runs the EfficientNet-Lite0 trunk about 4x faster than eager torch on this CPU
(`scripts/bench/bench_logo.py` measures both). The trunk is exported from the loaded
weights at start-up (cached by their digest), so the graph can never disagree with `model.pt`. Inputs must have
sides that are multiples of 32: then every TF-"SAME" pad is a constant and one graph with
dynamic batch, height and width is exact for all of them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Protocol

import numpy as np
import structlog
import torch
from torch import nn

from models.logo_embedder import LogoEmbedder

log = structlog.get_logger(__name__)
MULTIPLE = 32
# One intra-op thread: the detector runs SIFT on a worker while the trunk runs, and on a
# 2-core machine a second trunk thread only contends with it (the latency bench's photos
# screened in one process with both settings interleaved: p50 335-375 ms with one thread,
# 416-445 ms with two).
TRUNK_THREADS = 1


class Trunk(Protocol):
    """(N, 3, H, W) float32 in [0, 1] → the (N, 1280, H/32, W/32) head map and the
    (N, 192, H/16, W/16) mid-level map."""

    name: str

    @property
    def threads(self) -> int:
        """Intra-op threads the trunk computes with."""

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


class _Features(nn.Module):
    def __init__(self, model: LogoEmbedder) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.features_with_mid(x)


class TorchTrunk:
    name = "torch"

    def __init__(self, model: LogoEmbedder) -> None:
        self.model = model

    @property
    def threads(self) -> int:
        return torch.get_num_threads()

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            head, mid = self.model.features_with_mid(torch.from_numpy(x))
        return head.numpy(), mid.numpy()


class OrtTrunk:
    name = "onnxruntime"

    def __init__(self, model: LogoEmbedder, threads: int) -> None:
        import onnxruntime as ort

        self.threads = threads
        path = exported(model)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            head, mid = self._session.run(None, {"x": np.ascontiguousarray(x, np.float32)})
        return np.asarray(head), np.asarray(mid)


def exported(model: LogoEmbedder) -> Path:
    """The trunk as ONNX, cached under the temp dir by a digest of the weights (atomic write)."""
    digest = hashlib.sha256(b"head+mid+static-pads")  # how the graph is built is part of its identity
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().numpy().tobytes())
    cache = Path(tempfile.gettempdir()) / f"screening-logo-trunk-{os.getuid()}"
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = cache.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o022:  # someone else's or writable by others
        cache = Path(tempfile.mkdtemp(prefix="screening-logo-trunk-"))
    path = cache / f"{digest.hexdigest()[:24]}.onnx"
    if path.exists():
        return path
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
    os.close(fd)
    try:
        model.set_static_padding(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Features(model).eval(), (torch.zeros(1, 3, 128, 128),), tmp,
                input_names=["x"], output_names=["features", "mid"], opset_version=17,
                dynamic_axes={"x": {0: "n", 2: "h", 3: "w"}, "features": {0: "n", 2: "gh", 3: "gw"},
                              "mid": {0: "n", 2: "mh", 3: "mw"}},
                dynamo=False,
            )
        os.replace(tmp, path)
    finally:
        model.set_static_padding(False)
        Path(tmp).unlink(missing_ok=True)
    return path


def make_trunk(model: LogoEmbedder, backend: str = "auto", threads: int = TRUNK_THREADS) -> Trunk:
    """ONNX Runtime when it can export and load the trunk, torch otherwise (or when asked)."""
    if backend in ("auto", "onnxruntime"):
        try:
            return OrtTrunk(model, threads)
        except Exception as exc:  # missing `onnx`, exporter or runtime problems: torch still works
            if backend == "onnxruntime":
                raise
            log.warning("logo.onnx_unavailable", error=f"{type(exc).__name__}: {exc}")
    return TorchTrunk(model)
