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
from torch import nn
from torch.nn import functional as F

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 .-'&*@$!|~_+"
PAD, UNK = 0, 1
DEFAULT_DIR = Path(__file__).resolve().parent / "weights" / "text_encoder"


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

    @torch.inference_mode()
    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32, shape (n, out_dim)) for `texts`."""
        if not texts:
            return np.zeros((0, self.config.out_dim), dtype=np.float32)
        return self.forward(self.ids(texts)).numpy().astype(np.float32)

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
