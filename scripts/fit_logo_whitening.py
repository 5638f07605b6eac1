"""Fit the logo embedder's projection as a learned whitening, then calibrate its scores.

The trunk stays the EfficientNet-Lite0 ImageNet network; only the projection after GeM
pooling is fitted, in closed form (Radenović, Tolias and Chum's learned whitening, "Lw"):
whiten by the covariance of the differences between matching views, then rotate onto the
principal directions of the whitened data and keep the first `--dim`. Matching views are
synthetic: a simple-icons mark (never one of the dev brands) clean vs. warped and pasted
on a photo background, and two training boxes of the same dev brand (tight vs. loosened
and degraded), from training photos outside the calibration split. Query, no-logo and
calibration photos are never read for fitting.

A brand-disjoint cross-validation says how much of the gain carries to brands the
whitening never saw (the evaluation's held-out brands): folds hold out 4 of the 13 dev
brands' crops from fitting, and the held-out brands' calibration-split boxes are matched
against the registered references. It prints raw vs. held-out vs. all-brands figures.

    .venv/bin/python scripts/fit_logo_whitening.py            # ~8 min on 2 CPU cores
    .venv/bin/python scripts/fit_logo_whitening.py --no-calibrate --out /tmp/lw
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.logo_embedder import EmbedderConfig, LogoEmbedder, gem
from screening.image.evaluation import (
    DevSet,
    dev_slugs,
    in_calibration_split,
    load_dev,
    pick_references,
    reference_marks,
)
from screening.image.synth import Backgrounds, crop_view, icon_clean_view, icon_scene_view
from scripts.train_logo_embedder import OUT, calibrate, load_icons, load_photos, save_report

VERSION = "logo-effl0-imagenet-lw"


def l2(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def fit_whitening(a: np.ndarray, p: np.ndarray, dim: int, reg: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and projection (dim, D) from matching pairs of unit descriptors (N, D)."""
    x = np.concatenate([a, p])
    mean = x.mean(axis=0)
    diff = a - p
    within = diff.T @ diff / len(diff) + reg * np.eye(diff.shape[1])
    values, vectors = np.linalg.eigh(within)
    whiten = vectors @ np.diag(values ** -0.5) @ vectors.T
    centred = (x - mean) @ whiten.T
    spread_values, spread_vectors = np.linalg.eigh(centred.T @ centred / len(centred))
    order = np.argsort(-spread_values)[:dim]
    return mean, spread_vectors[:, order].T @ whiten


class Pooled:
    """Unit GeM descriptors of the ImageNet trunk (the whitening's input)."""

    def __init__(self, threads: int) -> None:
        torch.set_num_threads(threads)
        self.model = LogoEmbedder.pretrained().eval()

    def __call__(self, views: list[np.ndarray], batch: int = 64) -> np.ndarray:
        out = []
        p = self.model.config.gem_p
        for i in range(0, len(views), batch):
            x = torch.from_numpy(np.stack(views[i : i + batch]).astype(np.float32) / 255.0)
            with torch.inference_mode():
                fmap = self.model.features(x.permute(0, 3, 1, 2))
                out.append(gem(fmap, p).numpy())
        return l2(np.concatenate(out))


def training_pairs(dev: DevSet, pooled: Pooled, rng: np.random.Generator, icons_per_mark: int,
                   crops_per_brand: int, side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(anchors, positives, brand label or '' for icons) of matching synthetic views."""
    masks, colours, _ = load_icons(dev_slugs(dev))
    crops, patches = load_photos(dev, rng)
    backgrounds = Backgrounds(patches)
    anchors, positives, labels = [], [], []
    for _ in range(icons_per_mark):
        for mask, colour in zip(masks, colours, strict=True):
            first = (icon_clean_view(mask, colour, rng, side) if rng.random() < 0.75
                     else icon_scene_view(mask, colour, rng, side, backgrounds))
            anchors.append(first)
            positives.append(icon_scene_view(mask, colour, rng, side, backgrounds))
            labels.append("")
    for brand in sorted(crops):
        pool = crops[brand]
        for _ in range(crops_per_brand):
            i, j = rng.choice(len(pool), 2, replace=len(pool) < 2)
            (photo_a, box_a), (photo_b, box_b) = pool[i], pool[j]
            anchors.append(crop_view(photo_a, box_a, rng, side, scene=False))
            positives.append(crop_view(photo_b, box_b, rng, side, scene=True))
            labels.append(brand)
    print(f"{len(masks)} icons, {sum(1 for b in labels if b)} crop pairs; embedding {len(labels)} pairs",
          flush=True)
    return pooled(anchors), pooled(positives), np.array(labels)


def held_out_check(dev: DevSet, pooled: Pooled, a: np.ndarray, p: np.ndarray, labels: np.ndarray,
                   dim: int, reg: float, folds: int, seed: int,
                   distractors: int = 300) -> dict[str, list[float]]:
    """Top-1 brand and (box, brand) AP of calibration-split boxes of brands left out of
    fitting, and top-1 when `distractors` other brands' simple-icons marks are registered too
    (a catalogue's scale: flat icons that sit close to photo crops steal the first place)."""
    from PIL import Image

    from screening.image.embed import to_square
    from screening.image.evaluation import distractor_icons
    from screening.image.signal import reference_views
    from screening.image.synth import flat

    side = pooled.model.config.input_size
    refs = pick_references(dev)
    ref_views, ref_brand = [], []
    for brand, marks in reference_marks(dev).items():
        for _, mark in marks:
            for _, view in reference_views(mark):
                ref_views.append(to_square(view, side))
                ref_brand.append(brand)
    ref_images = {box.image for boxes in refs.values() for box in boxes}
    queries = {image for image, _ in dev.queries}
    banned = ref_images | queries | dev.duplicates_of(ref_images | queries)
    boxes = [b for b in dev.boxes if in_calibration_split(b.image) and b.image not in banned
             and min(b.box[2] - b.box[0], b.box[3] - b.box[1]) >= 16]
    crops = []
    for box in boxes:
        with Image.open(dev.image_path(box.image)) as image:
            crops.append(to_square(np.asarray(image.convert("RGB").crop(box.box)), side))
    distractor_views = [to_square(view, side) for _, mask, colour in
                        distractor_icons(dev, distractors, from_end=True)
                        for _, view in reference_views(flat(mask, colour))]
    refs_x, boxes_x = pooled(ref_views), pooled(crops)
    others_x = pooled(distractor_views) if distractor_views else np.zeros((0, refs_x.shape[1]))
    ref_labels, box_labels = np.array(ref_brand), np.array([b.brand for b in boxes])
    brands = sorted(dev.brands)

    def measure(project: np.ndarray | None, mean: np.ndarray | None,
                mask: np.ndarray) -> tuple[float, float, float]:
        r, q, o = refs_x, boxes_x[mask], others_x
        if project is not None and mean is not None:
            r, q = l2((r - mean) @ project.T), l2((q - mean) @ project.T)
            o = l2((o - mean) @ project.T) if len(o) else o
        sims = q @ r.T
        per_brand = np.stack([sims[:, ref_labels == b].max(axis=1) for b in brands], axis=1)
        truth = box_labels[mask]
        first = np.array(brands)[per_brand.argmax(axis=1)] == truth
        top1 = float(np.mean(first))
        best_other = (q @ o.T).max(axis=1) if len(o) else np.full(len(q), -np.inf)
        top1_scale = float(np.mean(first & (per_brand.max(axis=1) > best_other)))
        hits = (np.array(brands)[None, :] == truth[:, None]).ravel()[np.argsort(-per_brand.ravel())]
        ap = float((np.cumsum(hits) / np.arange(1, len(hits) + 1) * hits).sum() / hits.sum())
        return top1, ap, top1_scale

    rng = np.random.default_rng(seed)
    results: dict[str, list[tuple[float, float, float]]] = {"raw": [], "held_out": [], "all_brands": []}
    mean_all, project_all = fit_whitening(a, p, dim, reg)
    for _ in range(folds):
        held = set(rng.permutation(brands)[:4])
        mask = np.array([b in held for b in box_labels])
        keep = np.array([b not in held for b in labels])
        mean, project = fit_whitening(a[keep], p[keep], dim, reg)
        results["raw"].append(measure(None, None, mask))
        results["held_out"].append(measure(project, mean, mask))
        results["all_brands"].append(measure(project_all, mean_all, mask))
    summary = {k: [round(float(x), 3) for x in np.mean(v, axis=0)] for k, v in results.items()}
    for name, (top1, ap, top1_scale) in summary.items():
        print(f"  {name:10} top-1 brand {top1:.3f}   (box, brand) AP {ap:.3f}   top-1 with "
              f"{distractors} distractor brands {top1_scale:.3f}", flush=True)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--reg", type=float, default=1e-3)
    parser.add_argument("--icon-pairs", type=int, default=1, help="pairs per simple-icons mark")
    parser.add_argument("--crop-pairs", type=int, default=120, help="pairs per dev brand")
    parser.add_argument("--revision", type=int, default=1,
                        help="the version's revision; bump it whenever the fitted weights change")
    parser.add_argument("--folds", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-calibrate", action="store_true")
    args = parser.parse_args()
    started = time.time()
    dev = load_dev(args.data)
    pooled = Pooled(args.threads)
    rng = np.random.default_rng(args.seed)
    side = pooled.model.config.input_size
    a, p, labels = training_pairs(dev, pooled, rng, args.icon_pairs, args.crop_pairs, side)
    print(f"pairs embedded in {time.time() - started:.0f}s; brand-disjoint check "
          f"({args.folds} folds, 4 of 13 brands held out):", flush=True)
    check = held_out_check(dev, pooled, a, p, labels, args.dim, args.reg, args.folds, args.seed)
    mean, project = fit_whitening(a, p, args.dim, args.reg)
    config = EmbedderConfig(dim=args.dim, version=f"{VERSION}{args.dim}-v{args.revision}",
                            prenorm=True)
    model = LogoEmbedder(config)
    model.backbone.load_state_dict(pooled.model.backbone.state_dict())
    with torch.no_grad():
        model.proj.weight.copy_(torch.from_numpy(project).float())  # type: ignore[operator]
        model.proj.bias.copy_(torch.from_numpy(-project @ mean).float())  # type: ignore[operator]
    model.save(args.out)
    report = {"method": "learned whitening (Lw) of ImageNet GeM features", "version": config.version,
              "dim": args.dim, "reg": args.reg, "pairs": len(labels),
              "icon_pairs": int((labels == "").sum()), "crop_pairs": int((labels != "").sum()),
              "seed": args.seed, "brand_disjoint_check": check,
              "seconds": round(time.time() - started)}
    save_report(args.out, report)
    if not args.no_calibrate:
        calibrate(args.data, args.out, args.seed, args.threads)


if __name__ == "__main__":
    main()
