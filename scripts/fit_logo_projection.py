"""Train the logo embedder's projection on detector windows, then calibrate its scores.

The trunk stays the EfficientNet-Lite0 ImageNet network and is never run backwards: its
GeM-pooled features are computed once, and only the linear projection after them (1280 →
256, the layer `scripts/fit_logo_whitening.py` fits in closed form) is trained, starting
from that whitening. What it learns is what the detector's shortlist needs: a photo's
windows that hold a mark must sit closer to that brand's reference views than to any other
brand's, and windows of plain background must sit far from every brand.

Data (all synthetic, open set): simple-icons marks (dev brands' marks held out, and the
evaluation's and the calibration's distractor marks too, which form the validation set)
warped, recoloured and pasted into 512-px scenes on training-photo regions or procedural
textures. For each scene the trunk runs once as the detector runs it; windows that overlap
the mark are positives, windows away from it are background, and the crop around the mark
is a positive too. Keys are each mark's registered reference views. The loss is a softmax
over brands (a brand's score is its best view) plus a "no brand" class with a learnt
threshold, which background windows must pick. Query, no-logo and calibration-split photos
are never read (backgrounds come from training photos outside the calibration split).

    .venv/bin/python scripts/fit_logo_whitening.py --no-calibrate --out /tmp/lw   # ~3 min
    .venv/bin/python scripts/fit_logo_projection.py --init /tmp/lw              # ~20-30 min on 2 CPU cores

Rendering and embedding the scenes takes most of that (~11 min on 2026-12-06); `--examples
FILE.npz` keeps their features (about 1.3 GB), so other training settings can be tried
from the same examples in minutes (1,500 steps ~7 min).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.logo_embedder import EmbedderConfig, LogoEmbedder, gem
from screening.image.detector import DetectorConfig, iou
from screening.image.embed import MarkEmbedder, to_square
from screening.image.evaluation import DevSet, dev_slugs, distractor_icons, load_dev
from screening.image.signal import VIEW_SCHEME, reference_views
from screening.image.synth import (
    Backgrounds,
    degrade,
    flat,
    icon_marks,
    paste_with_box,
    warped_mark,
)
from scripts.train_logo_embedder import OUT, calibrate, load_photos, save_report

VERSION = "logo-effl0-imagenet-lp"
SCENE_W, SCENE_H = 512, 384


def raw_crops(embedder: MarkEmbedder, crops: list[np.ndarray], batch: int = 64) -> np.ndarray:
    """GeM-pooled trunk features (N, 1280) of crops, before the projection."""
    size, p = embedder.config.input_size, embedder.config.gem_p
    out = []
    for i in range(0, len(crops), batch):
        squares = [to_square(c, size) for c in crops[i : i + batch]]
        array = np.ascontiguousarray(np.stack(squares).astype(np.float32).transpose(0, 3, 1, 2) / 255.0)
        head, _ = embedder.trunk(array)
        out.append(gem(torch.from_numpy(head), p).numpy())
    return np.concatenate(out).astype(np.float32)


def scene(mask: np.ndarray, colour: np.ndarray, rng: np.random.Generator,
          backgrounds: Backgrounds) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 512 × 384 photo holding the mark (warped, recoloured, degraded), and its box."""
    background = backgrounds.sample(rng, SCENE_W)[:SCENE_H]
    rgba = warped_mark(mask, colour, rng, 0.15)
    photo, box = paste_with_box(background, rgba, rng, (0.08, 0.5), spread=0.6)
    return degrade(photo, rng), box


class Examples:
    """Raw features of positives (windows and crops over a mark) and background windows."""

    def __init__(self) -> None:
        self.positives: list[np.ndarray] = []
        self.labels: list[int] = []
        self.background: list[np.ndarray] = []
        self.scenes: list[tuple[np.ndarray, np.ndarray, int]] = []  # validation: every window

    def add(self, embedder: MarkEmbedder, rgb: np.ndarray, box: tuple[int, int, int, int],
            label: int, rng: np.random.Generator, keep_scene: bool) -> None:
        cfg = DetectorConfig()
        boxes, pooled, _ = embedder.pool_windows(rgb, cfg.long_side, cfg.window_sizes)
        if keep_scene:
            self.scenes.append((boxes, pooled.astype(np.float16), label))
            return
        overlaps = np.array([iou(b, box) for b in boxes])
        order = np.argsort(-overlaps)
        for i in order[:2]:
            if overlaps[i] >= 0.3 or (i == order[0] and overlaps[i] >= 0.15):
                self.positives.append(pooled[i].copy())  # not a view: it would keep every window alive
                self.labels.append(label)
        bx0, by0, bx1, by1 = box
        away = [i for i, b in enumerate(boxes)
                if max(0.0, min(b[2], bx1) - max(b[0], bx0)) * max(0.0, min(b[3], by1) - max(b[1], by0))
                < 0.1 * (bx1 - bx0) * (by1 - by0)]
        for i in rng.choice(away, min(6, len(away)), replace=False) if away else []:
            self.background.append(pooled[i].copy())
        h, w = rgb.shape[:2]
        grow = 0.075 * max(bx1 - bx0, by1 - by0)
        crop = rgb[max(0, int(by0 - grow)) : min(h, int(by1 + grow)), max(0, int(bx0 - grow)) : min(w, int(bx1 + grow))]
        self.positives.append(raw_crops(embedder, [crop])[0].copy())
        self.labels.append(label)


def project(weight: torch.Tensor, bias: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return F.normalize(F.normalize(x, dim=-1) @ weight.T + bias, dim=-1)


def brand_scores(queries: torch.Tensor, keys: torch.Tensor, key_brand: torch.Tensor,
                 brands: int) -> torch.Tensor:
    """(Q, brands): each brand's best reference view."""
    sims = queries @ keys.T
    out = torch.full((len(queries), brands), -2.0)
    return out.scatter_reduce(1, key_brand.expand(len(queries), -1), sims, reduce="amax")


def shortlist_recall(weight: torch.Tensor, bias: torch.Tensor, raw_keys: torch.Tensor,
                     key_brand: torch.Tensor, brands: int, scenes: list, top: int) -> tuple[float, float]:
    """Share of validation scenes whose mark's brand is first / within the top `top` brands
    by its best window, against every brand's reference views (the detector's shortlist)."""
    first = within = 0
    with torch.no_grad():
        keys = project(weight, bias, raw_keys)
        for _, pooled, label in scenes:
            best = brand_scores(project(weight, bias, torch.from_numpy(pooled.astype(np.float32))),
                                keys, key_brand, brands).max(dim=0).values
            rank = int((best > best[label]).sum())
            first += rank == 0
            within += rank < top
    return first / len(scenes), within / len(scenes)


Tensors = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor,
                list[tuple[np.ndarray, np.ndarray, int]]]


def make_examples(args: argparse.Namespace, dev: DevSet, embedder: MarkEmbedder,
                  icons: list[tuple[str, np.ndarray, np.ndarray]], train: list[int], valid: list[int],
                  rng: np.random.Generator, started: float) -> Tensors:
    """Render the scenes and compute the raw trunk features of every example (the slow part)."""
    _, patches = load_photos(dev, rng)
    backgrounds = Backgrounds(patches)
    views, view_brand = [], []
    for n, (_, mask, colour) in enumerate(icons):
        for _, view in reference_views(flat(mask, colour)):
            views.append(view)
            view_brand.append(n)
    raw_keys = torch.from_numpy(raw_crops(embedder, views))
    key_brand = torch.tensor(view_brand)
    print(f"{len(icons)} marks ({len(train)} train, {len(valid)} validation), {len(views)} reference "
          f"views embedded in {time.time() - started:.0f}s", flush=True)
    examples = Examples()
    for n in [i for i in train for _ in range(args.scenes_per_mark)]:
        _, mask, colour = icons[n]
        examples.add(embedder, *scene(mask, colour, rng, backgrounds), n, rng, keep_scene=False)
    for n in rng.choice(valid, min(args.validation_scenes, len(valid)), replace=False):
        _, mask, colour = icons[int(n)]
        examples.add(embedder, *scene(mask, colour, rng, backgrounds), int(n), rng, keep_scene=True)
    positives = torch.from_numpy(np.stack(examples.positives))
    labels = torch.tensor(examples.labels)
    background = torch.from_numpy(np.stack(examples.background))
    print(f"{len(positives)} positives, {len(background)} background windows, "
          f"{len(examples.scenes)} validation scenes in {time.time() - started:.0f}s", flush=True)
    return raw_keys, key_brand, positives, labels, background, examples.scenes


def examples_made_with(args: argparse.Namespace, init: LogoEmbedder, marks: int, train: list[int],
                       valid: list[int]) -> str:
    """What decides the examples: a cache made with anything else is not these examples."""
    return json.dumps({"seed": args.seed, "scenes_per_mark": args.scenes_per_mark,
                       "validation_scenes": args.validation_scenes, "marks": marks,
                       "train": len(train), "valid": len(valid), "init": init.config.version,
                       "views": VIEW_SCHEME}, sort_keys=True)


def save_examples(path: Path, made_with: str, raw_keys: torch.Tensor, key_brand: torch.Tensor,
                  positives: torch.Tensor, labels: torch.Tensor, background: torch.Tensor,
                  scenes: list[tuple[np.ndarray, np.ndarray, int]]) -> None:
    """Cache the examples (raw trunk features) so training settings can be tried without
    rendering and embedding the scenes again."""
    arrays: dict[str, np.ndarray] = {
        "made_with": np.array(made_with),
        "raw_keys": raw_keys.numpy(), "key_brand": key_brand.numpy(), "positives": positives.numpy(),
        "labels": labels.numpy(), "background": background.numpy(),
        "scene_labels": np.array([label for _, _, label in scenes])}
    for i, (boxes, pooled, _) in enumerate(scenes):
        arrays[f"scene_boxes_{i}"], arrays[f"scene_pooled_{i}"] = boxes, pooled
    np.savez(path, allow_pickle=False, **arrays)


def load_examples(path: Path, made_with: str) -> Tensors:
    with np.load(path) as data:
        cached = str(data["made_with"]) if "made_with" in data else "(not recorded)"
        if cached != made_with:
            raise SystemExit(f"{path} holds other examples: made with {cached}, this run makes "
                             f"{made_with}; delete it or name another --examples file")
        scenes = [(data[f"scene_boxes_{i}"], data[f"scene_pooled_{i}"], int(label))
                  for i, label in enumerate(data["scene_labels"])]
        return (torch.from_numpy(data["raw_keys"]), torch.from_numpy(data["key_brand"]),
                torch.from_numpy(data["positives"]), torch.from_numpy(data["labels"]),
                torch.from_numpy(data["background"]), scenes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--init", type=Path, required=True,
                        help="the whitening to start from: fit_logo_whitening.py --no-calibrate --out DIR")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--scenes-per-mark", type=int, default=2)
    parser.add_argument("--validation-scenes", type=int, default=300)
    parser.add_argument("--max-marks", type=int, default=0, help="train on this many marks (0: all; for a quick try)")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--brands-per-step", type=int, default=1024)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--revision", type=int, default=1,
                        help="the version's revision; bump it whenever the trained weights change")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-calibrate", action="store_true")
    parser.add_argument("--examples", type=Path,
                        help="an .npz cache of the rendered examples' features: read when it exists, "
                             "written otherwise (a cache made with other settings is refused)")
    args = parser.parse_args()
    started = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    dev = load_dev(args.data)
    init = LogoEmbedder.load(args.init)
    embedder = MarkEmbedder(LogoEmbedder.load(args.init), "onnxruntime", args.threads)
    excluded = dev_slugs(dev)
    held = {slug for slug, _, _ in distractor_icons(dev, 300) + distractor_icons(dev, 300, from_end=True)}
    icons = [icon for icon in icon_marks(100_000) if not any(s in icon[0] for s in excluded)]
    train = [i for i, icon in enumerate(icons) if icon[0] not in held]
    valid = [i for i, icon in enumerate(icons) if icon[0] in held]
    if args.max_marks:
        train = train[: args.max_marks]
    made_with = examples_made_with(args, init, len(icons), train, valid)
    if args.examples is not None and args.examples.is_file():
        raw_keys, key_brand, positives, labels, background, scenes = load_examples(args.examples, made_with)
        print(f"examples read from {args.examples} ({len(positives)} positives, {len(background)} "
              f"background windows, {len(scenes)} validation scenes)", flush=True)
    else:
        raw_keys, key_brand, positives, labels, background, scenes = make_examples(
            args, dev, embedder, icons, train, valid, rng, started)
        if args.examples is not None:
            save_examples(args.examples, made_with, raw_keys, key_brand, positives, labels, background, scenes)

    start = init.proj
    assert isinstance(start, torch.nn.Linear), "--init must hold a projection (config projection: true)"
    weight = start.weight.detach().clone().requires_grad_(True)
    bias = start.bias.detach().clone().requires_grad_(True)
    threshold = torch.tensor(0.3, requires_grad=True)  # the "no brand" class's similarity
    before = shortlist_recall(weight, bias, raw_keys, key_brand, len(icons), scenes, 4)
    print(f"validation before: brand first {before[0]:.3f}, in the top 4 {before[1]:.3f}", flush=True)
    optimiser = torch.optim.Adam([weight, bias, threshold], lr=args.lr)
    train_brands = torch.tensor(train)
    losses = []
    for step in range(args.steps):
        pick = torch.randint(len(positives), (args.batch,))
        batch_labels = labels[pick]
        others = train_brands[torch.randperm(len(train_brands))[: args.brands_per_step]]
        chosen = torch.unique(torch.cat([batch_labels, others]))
        remap = torch.full((len(icons),), -1, dtype=torch.long)
        remap[chosen] = torch.arange(len(chosen))
        in_step = remap[key_brand] >= 0
        keys = project(weight, bias, raw_keys[in_step])
        kb = remap[key_brand[in_step]].unsqueeze(0)
        bg = background[torch.randint(len(background), (args.batch,))]
        scores = brand_scores(project(weight, bias, torch.cat([positives[pick], bg])), keys, kb, len(chosen))
        logits = torch.cat([scores, threshold.expand(len(scores), 1)], dim=1) / args.temperature
        target = torch.cat([remap[batch_labels], torch.full((args.batch,), len(chosen))])
        loss = F.cross_entropy(logits, target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
        if (step + 1) % 250 == 0:
            print(f"  step {step + 1}: loss {np.mean(losses[-250:]):.3f}, threshold {float(threshold.detach()):.3f} "
                  f"({time.time() - started:.0f}s)", flush=True)
    after = shortlist_recall(weight, bias, raw_keys, key_brand, len(icons), scenes, 4)
    print(f"validation after: brand first {after[0]:.3f}, in the top 4 {after[1]:.3f}", flush=True)

    config = EmbedderConfig(dim=init.config.dim, version=f"{VERSION}{init.config.dim}-v{args.revision}",
                            prenorm=True)
    model = LogoEmbedder(config)
    model.backbone.load_state_dict(init.backbone.state_dict())
    with torch.no_grad():
        model.proj.weight.copy_(weight)  # type: ignore[operator]
        model.proj.bias.copy_(bias)  # type: ignore[operator]
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    for name in ("keypoint_codebook.faiss", "keypoint_codebook.json"):
        if (args.init / name).is_file() and args.init.resolve() != args.out.resolve():
            shutil.copy(args.init / name, args.out / name)
    report = {"method": "projection trained on detector windows of synthetic scenes (from the Lw whitening)",
              "version": config.version, "init": str(args.init), "marks": len(train),
              "validation_marks": len(valid), "positives": len(positives), "background": len(background),
              "steps": args.steps, "batch": args.batch, "brands_per_step": args.brands_per_step,
              "lr": args.lr, "temperature": args.temperature, "seed": args.seed,
              "threshold": round(float(threshold.detach()), 4),
              "loss_first_250": round(float(np.mean(losses[:250])), 4),
              "loss_last_250": round(float(np.mean(losses[-250:])), 4),
              "validation_before": {"first": round(before[0], 3), "top4": round(before[1], 3)},
              "validation_after": {"first": round(after[0], 3), "top4": round(after[1], 3)},
              "seconds": round(time.time() - started)}
    save_report(args.out, report)
    if not args.no_calibrate:
        calibrate(args.data, args.out, args.seed, args.threads)


if __name__ == "__main__":
    main()
