"""Synthetic training views for the logo embedder.

A mark (simple-icons mask in some colour, or a real crop from a training box) is warped in
perspective, recoloured, embossed, blurred, partly hidden and pasted at varied scale and
offset on a background (photo regions away from annotated boxes, or procedural textures).
The "clean" view imitates a registered reference; the "scene" view a window of a photo.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from screening.image.embed import to_square, trim_uniform_border

MASK_SIDE = 160


def render_icon_mask(svg: str, side: int = MASK_SIDE) -> np.ndarray | None:
    """Alpha mask (side x side, uint8) of a single-colour simple-icons SVG, trimmed and centred."""
    import resvg_py

    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=side))
    except Exception:  # resvg reports failures as generic exceptions
        return None
    with Image.open(io.BytesIO(png)) as image:
        alpha = np.asarray(image.convert("RGBA"))[:, :, 3]
    ys, xs = np.nonzero(alpha > 16)
    if len(ys) < 30:
        return None
    alpha = alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = alpha.shape
    scale = side / max(h, w)
    alpha = cv2.resize(alpha, (max(1, round(w * scale)), max(1, round(h * scale))))
    canvas = np.zeros((side, side), np.uint8)
    y0, x0 = (side - alpha.shape[0]) // 2, (side - alpha.shape[1]) // 2
    canvas[y0 : y0 + alpha.shape[0], x0 : x0 + alpha.shape[1]] = alpha
    return canvas


def hex_rgb(value: str) -> np.ndarray:
    value = (value or "000000").lstrip("#")[:6].ljust(6, "0")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.float32)


def icon_marks(count: int, from_end: bool = False) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(slug, alpha mask, colour) of the first `count` simple-icons marks that render, in
    name order (from the last name backwards with `from_end`)."""
    import simple_icons_pack as pack

    out = []
    for name in sorted((n for n in dir(pack) if n.startswith("SI_")), reverse=from_end):
        icon = getattr(pack, name)
        mask = render_icon_mask(icon.svg, 160)
        if mask is not None:
            colour = hex_rgb(icon.hex)
            if colour.mean() > 225:  # white marks would vanish on a white reference file
                colour = np.zeros(3, np.float32)
            out.append((icon.slug, mask, colour))
        if len(out) == count:
            break
    return out


def flat(mask: np.ndarray, colour: np.ndarray, background: float = 255.0) -> np.ndarray:
    """A clean reference file: the mask in its colour on a flat background."""
    alpha = mask[..., None].astype(np.float32) / 255.0
    return (background * (1 - alpha) + colour * alpha).astype(np.uint8)


@dataclass
class Backgrounds:
    """Photo regions (HxWx3 uint8) to paste marks on; procedural textures fill in."""

    patches: list[np.ndarray]

    def sample(self, rng: np.random.Generator, side: int) -> np.ndarray:
        kind = rng.random()
        if self.patches and kind < 0.6:
            patch = self.patches[rng.integers(len(self.patches))]
            h, w = patch.shape[:2]
            s = int(rng.uniform(0.3, 1.0) * min(h, w))
            y, x = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
            return cv2.resize(patch[y : y + s, x : x + s], (side, side), interpolation=cv2.INTER_AREA)
        if kind < 0.75:
            return _plain(rng, side)
        return _texture(rng, side)


def _plain(rng: np.random.Generator, side: int) -> np.ndarray:
    a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    t = np.linspace(0, 1, side, dtype=np.float32)[:, None, None] * rng.uniform(0, 0.6)
    img = a * (1 - t) + b * t
    return np.broadcast_to(img, (side, side, 3)).astype(np.uint8).copy()


def _texture(rng: np.random.Generator, side: int) -> np.ndarray:
    """Fabric-like weave or noise in a random colour."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    f1, f2 = rng.uniform(0.3, 1.5, 2)
    weave = np.sin(xx * f1) * np.sin(yy * f2)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (side, side)).astype(np.float32), (0, 0), rng.uniform(0.5, 4))
    base = rng.integers(0, 256, 3).astype(np.float32)
    texture = 20 * weave[..., None] + 25 * noise[..., None] + base
    return np.clip(texture, 0, 255).astype(np.uint8)


def colourise(mask: np.ndarray, colour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """RGBA float image of the mask in a colour (brand colour, random, black/white, gradient)."""
    h, w = mask.shape
    r = rng.random()
    if r < 0.45:
        rgb = np.broadcast_to(colour, (h, w, 3))
    elif r < 0.65:
        rgb = np.broadcast_to(rng.uniform(0, 255, 3), (h, w, 3))
    elif r < 0.9:
        rgb = np.full((h, w, 3), 255.0 if rng.random() < 0.4 else 0.0)
    else:
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        rgb = rng.uniform(0, 255, 3) * (1 - t) + rng.uniform(0, 255, 3) * t
        rgb = np.broadcast_to(rgb, (h, w, 3))
    return np.dstack([rgb, mask.astype(np.float32)])


def perspective_warp(rgba: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    h, w = rgba.shape[:2]
    pad = int(0.35 * max(h, w))
    rgba = cv2.copyMakeBorder(rgba, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0, 0))
    H, W = rgba.shape[:2]
    src = np.array([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]], np.float32)
    angle = np.deg2rad(rng.normal(0, 14))
    centre = np.array([W / 2, H / 2], np.float32)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    aspect = np.array([rng.uniform(0.75, 1.25), 1.0], np.float32)
    dst = (src - centre) * aspect @ rot.T + centre
    dst += rng.uniform(-strength, strength, (4, 2)).astype(np.float32) * max(h, w)
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(rgba, matrix, (W, H), flags=cv2.INTER_LINEAR)
    ys, xs = np.nonzero(warped[:, :, 3] > 8)
    if len(ys) == 0:
        return rgba
    return warped[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def fabric_warp(rgba: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = rgba.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp, freq = rng.uniform(1, 0.04 * max(h, w) + 1), rng.uniform(0.02, 0.08)
    phase = rng.uniform(0, 6.28)
    map_x = xx + amp * np.sin(yy * freq + phase)
    map_y = yy + amp * np.sin(xx * freq + phase)
    return cv2.remap(rgba, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def paste(background: np.ndarray, rgba: np.ndarray, rng: np.random.Generator,
          fill: tuple[float, float]) -> np.ndarray:
    """Alpha-composite the mark (or emboss it) onto the background at a random scale/offset."""
    return paste_with_box(background, rgba, rng, fill)[0]


def paste_with_box(background: np.ndarray, rgba: np.ndarray, rng: np.random.Generator,
                   fill: tuple[float, float], spread: float = 0.2
                   ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """`paste`, and the mark's box (x0, y0, x1, y1); `fill` is the mark's long side as a share
    of the background's width, `spread` how far from the centre it may land (1: anywhere)."""
    height, side = background.shape[:2]
    h, w = rgba.shape[:2]
    scale = min(rng.uniform(*fill) * side / max(h, w), height / h, side / w)
    nw, nh = max(4, round(w * scale)), max(4, round(h * scale))
    mark = cv2.resize(rgba, (nw, nh), interpolation=cv2.INTER_AREA)
    slack_x, slack_y = max(0, side - nw), max(0, height - nh)
    x0 = int(np.clip(slack_x / 2 + rng.normal(0, spread) * slack_x, 0, slack_x))
    y0 = int(np.clip(slack_y / 2 + rng.normal(0, spread) * slack_y, 0, slack_y))
    mark = mark[: height - y0, : side - x0]
    out = background.astype(np.float32)
    region = out[y0 : y0 + mark.shape[0], x0 : x0 + mark.shape[1]]
    alpha = mark[:, :, 3:4] / 255.0 * rng.uniform(0.75, 1.0)
    if rng.random() < 0.12:  # embossed / debossed: shading only, no colour
        relief = np.array([[1, 0, 0], [0, 0, 0], [0, 0, -1]], np.float32)
        shade = cv2.filter2D((mark[:, :, 3] / 255.0).astype(np.float32), -1, relief)
        region += rng.choice([-1, 1]) * 90 * shade[..., None] + 25 * (alpha - 0.5 * alpha.mean())
    else:
        region[:] = region * (1 - alpha) + mark[:, :, :3] * alpha
    box = (x0, y0, x0 + mark.shape[1], y0 + mark.shape[0])
    return np.clip(out, 0, 255).astype(np.uint8), box


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Occlusion, blur, noise, colour jitter and JPEG artefacts."""
    side = img.shape[0]
    out = img.copy()
    if rng.random() < 0.25:
        ow, oh = (rng.uniform(0.15, 0.4, 2) * side).astype(int)
        x, y = rng.integers(0, side - ow), rng.integers(0, side - oh)
        out[y : y + oh, x : x + ow] = rng.integers(0, 256, 3)
    if rng.random() < 0.4:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.6))
    f = out.astype(np.float32) * rng.uniform(0.7, 1.25) + rng.uniform(-30, 30)
    f += rng.uniform(-15, 15, 3)
    if rng.random() < 0.3:
        f += rng.normal(0, rng.uniform(2, 10), f.shape)
    out = np.clip(f, 0, 255).astype(np.uint8)
    if rng.random() < 0.15:
        out = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 90))])
        decoded = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else None
        if decoded is not None:
            out = decoded
    return out


def icon_clean_view(mask: np.ndarray, colour: np.ndarray, rng: np.random.Generator, side: int) -> np.ndarray:
    """As a brand owner would upload it: the mark on a plain (mostly white) background."""
    rgba = colourise(mask, colour, rng) if rng.random() < 0.5 else np.dstack(
        [np.broadcast_to(colour, (*mask.shape, 3)), mask.astype(np.float32)])
    bg_colour = 255.0 if rng.random() < 0.7 else rng.uniform(0, 255)
    alpha = rgba[:, :, 3:4] / 255.0
    flat = (np.full_like(rgba[:, :, :3], bg_colour) * (1 - alpha) + rgba[:, :, :3] * alpha)
    return to_square(trim_uniform_border(flat.astype(np.uint8)), side)


def warped_mark(mask: np.ndarray, colour: np.ndarray, rng: np.random.Generator,
                perspective: float) -> np.ndarray:
    """RGBA of the mark as a photo shows it: recoloured, sometimes a repeated monogram, in
    perspective (corner jitter up to `perspective` of its size), sometimes fabric-warped."""
    rgba = colourise(mask, colour, rng)
    if rng.random() < 0.1:  # repeated monogram
        small = cv2.resize(rgba, (mask.shape[1] // 2, mask.shape[0] // 2))
        rgba = np.tile(small, (2, 2, 1))
    rgba = perspective_warp(rgba, rng, rng.uniform(0.0, perspective))
    if rng.random() < 0.3:
        rgba = fabric_warp(rgba, rng)
    return rgba


def icon_scene_view(mask: np.ndarray, colour: np.ndarray, rng: np.random.Generator, side: int,
                    backgrounds: Backgrounds) -> np.ndarray:
    """The mark as a detector window sees it in a photo."""
    rgba = warped_mark(mask, colour, rng, 0.18)
    background = backgrounds.sample(rng, side)
    return degrade(paste(background, rgba, rng, (0.45, 0.95)), rng)


def crop_view(photo: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator,
              side: int, scene: bool) -> np.ndarray:
    """A real training box: tight (reference-like) or loosened and jittered (window-like)."""
    x0, y0, x1, y1 = box
    h, w = photo.shape[:2]
    if scene:
        bw, bh = x1 - x0, y1 - y0
        grow = rng.uniform(1.0, 1.5)
        cx = (x0 + x1) / 2 + rng.normal(0, 0.08) * bw
        cy = (y0 + y1) / 2 + rng.normal(0, 0.08) * bh
        x0, x1 = int(max(0, cx - grow * bw / 2)), int(min(w, cx + grow * bw / 2))
        y0, y1 = int(max(0, cy - grow * bh / 2)), int(min(h, cy + grow * bh / 2))
    crop = photo[y0:y1, x0:x1]
    if crop.shape[0] < 4 or crop.shape[1] < 4:
        crop = photo
    if scene:
        angle = rng.normal(0, 8)
        ch, cw = crop.shape[:2]
        matrix = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 1.0)
        crop = cv2.warpAffine(crop, matrix, (cw, ch), borderMode=cv2.BORDER_REFLECT)
        return degrade(to_square(crop, side), rng)
    return to_square(crop, side)
