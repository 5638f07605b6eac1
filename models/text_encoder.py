"""A tiny character-level encoder for disguised brand spellings.

Maps a short folded string (a title window or a brand key) to a unit vector so that a
disguised spelling lands near the brand it imitates. Saves to and loads from a directory
holding `model.safetensors` and `config.json`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from threadpoolctl import ThreadpoolController
from torch import nn
from torch.nn import functional as F

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 .-'&*@$!|~_+"
PAD, UNK = 0, 1
DEFAULT_DIR = Path(__file__).resolve().parent / "weights" / "text_encoder"
_BLAS = ThreadpoolController()


@dataclass
class EncoderConfig:
    version: str = "0"
    max_len: int = 24
    embed_dim: int = 32
    channels: int = 128
    out_dim: int = 64
    threshold: float = 0.85  # cosine above which a neighbour becomes a candidate
    seed: int = 0
    excluded_families: tuple[str, ...] = ()


class CharEncoder(nn.Module):
    """Embedding → two width-3 convolutions → max+mean pooling → linear → L2 norm."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(len(ALPHABET) + 2, config.embed_dim, padding_idx=PAD)
        self.conv1 = nn.Conv1d(config.embed_dim, config.channels, 3, padding=1)
        self.conv2 = nn.Conv1d(config.channels, config.channels, 3, padding=2, dilation=2)
        self.proj = nn.Linear(2 * config.channels, config.out_dim)
        self._index = {ch: i + 2 for i, ch in enumerate(ALPHABET)}

    def ids(self, texts: list[str]) -> torch.Tensor:
        """Encode strings as padded id rows (lower-cased, truncated to max_len)."""
        width = self.config.max_len
        out = torch.zeros((len(texts), width), dtype=torch.long)
        for row, text in enumerate(texts):
            codes = [self._index.get(ch, UNK) for ch in text.lower()[:width]]
            if codes:
                out[row, : len(codes)] = torch.tensor(codes, dtype=torch.long)
        return out

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        mask = (ids != PAD).unsqueeze(1).float()
        x = self.embed(ids).transpose(1, 2)
        x = F.gelu(self.conv1(x))
        x = F.gelu(self.conv2(x)) + x
        x = x * mask
        pooled_max = (x - (1.0 - mask) * 1e4).max(dim=2).values
        pooled_mean = x.sum(dim=2) / mask.sum(dim=2).clamp(min=1.0)
        out = self.proj(torch.cat([pooled_max, pooled_mean], dim=1))
        return F.normalize(out, dim=1)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32, shape (n, out_dim)) for `texts`.

        Inference runs the same arithmetic in NumPy (`forward` is for training): a few
        small matrix products, without torch's per-call overhead, which dominates at the
        handful of windows one title yields.
        """
        if not texts:
            return np.zeros((0, self.config.out_dim), dtype=np.float32)
        if self.training:
            with torch.inference_mode():
                return self.forward(self.ids(texts)).numpy().astype(np.float32)
        with _BLAS.limit(limits=1, user_api="blas"):  # tiny products: threads only cost
            return self._numpy().encode(self.ids(texts).numpy())

    def _numpy(self) -> _NumpyEncoder:
        cached = getattr(self, "_numpy_cache", None)
        if cached is None:
            cached = _NumpyEncoder(self)
            object.__setattr__(self, "_numpy_cache", cached)
        return cached

    def train(self, mode: bool = True) -> CharEncoder:
        object.__setattr__(self, "_numpy_cache", None)  # weights may change
        return super().train(mode)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.state_dict().items()},
                  str(directory / "model.safetensors"))
        (directory / "config.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path | None = None) -> CharEncoder:
        directory = directory or DEFAULT_DIR
        raw = json.loads((directory / "config.json").read_text())
        raw["excluded_families"] = tuple(raw.get("excluded_families", ()))
        model = cls(EncoderConfig(**raw))
        model.load_state_dict(load_file(str(directory / "model.safetensors")))
        model.eval()
        return model


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for float32 GELU."""
    sign, a = np.sign(x), np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
            + 0.254829592) * t
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(1 / np.sqrt(2))))


class _NumpyEncoder:
    """The trained `CharEncoder` as NumPy arrays (a frozen copy of its weights)."""

    def __init__(self, model: CharEncoder) -> None:
        state = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
        self.embed = state["embed.weight"]
        # Conv1d weights (out, in, k) as one (k*in, out) matrix over stacked shifted inputs.
        self.w1 = state["conv1.weight"].transpose(2, 1, 0).reshape(-1, state["conv1.weight"].shape[0])
        self.b1 = state["conv1.bias"]
        self.w2 = state["conv2.weight"].transpose(2, 1, 0).reshape(-1, state["conv2.weight"].shape[0])
        self.b2 = state["conv2.bias"]
        self.wp = state["proj.weight"].T.copy()
        self.bp = state["proj.bias"]

    @staticmethod
    def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, dilation: int) -> np.ndarray:
        n, length, _ = x.shape
        padded = np.pad(x, ((0, 0), (dilation, dilation), (0, 0)))
        stacked = np.concatenate(
            [padded[:, k * dilation : k * dilation + length, :] for k in range(3)], axis=2)
        out = stacked.reshape(n * length, -1) @ w + b
        return out.reshape(n, length, -1)

    def encode(self, ids: np.ndarray) -> np.ndarray:
        mask = (ids != PAD)[:, :, None].astype(np.float32)
        x = self.embed[ids]
        h1 = _gelu(self._conv(x, self.w1, self.b1, 1))
        h = (_gelu(self._conv(h1, self.w2, self.b2, 2)) + h1) * mask
        pooled_max = (h - (1.0 - mask) * 1e4).max(axis=1)
        pooled_mean = h.sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)
        out = np.concatenate([pooled_max, pooled_mean], axis=1) @ self.wp + self.bp
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)
