"""Fine-tune the EfficientNet-Lite0 logo embedder by metric learning on synthetic composites.

Open set by construction: classes are simple-icons marks (dev brands' marks held out) plus the
TRAINING boxes of FlickrLogos-27 dev (never a photo that is a near-duplicate of a query photo);
query and no-logo photos are never read. Fixed seed; CPU; stops at --minutes.

    .venv/bin/python scripts/train_logo_embedder.py --data ../shared/data/flickrlogos27-dev
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.logo_embedder import EmbedderConfig, LogoEmbedder
from screening.image.evaluation import DevSet, dev_slugs, in_calibration_split, load_dev
from screening.image.synth import (
    Backgrounds,
    crop_view,
    hex_rgb,
    icon_clean_view,
    icon_scene_view,
    render_icon_mask,
)

OUT = Path(__file__).resolve().parents[1] / "models" / "weights" / "logo_embedder"
FROZEN_BLOCKS = 8


CALIBRATION_DISTRACTORS = 300
BACKGROUND_REGIONS = 5


def load_icons(exclude: set[str]) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    import simple_icons_pack as pack

    masks, colours, slugs = [], [], []
    for name in sorted(n for n in dir(pack) if n.startswith("SI_")):
        icon = getattr(pack, name)
        if any(slug in icon.slug for slug in exclude):
            continue
        mask = render_icon_mask(icon.svg)
        if mask is not None:
            masks.append(mask)
            colours.append(hex_rgb(icon.hex))
            slugs.append(icon.slug)
    return masks, colours, slugs


BoxCrops = dict[str, list[tuple[np.ndarray, tuple[int, int, int, int]]]]


def load_photos(dev: DevSet, rng: np.random.Generator) -> tuple[BoxCrops, list[np.ndarray]]:
    """Training boxes per brand, and box-free photo regions as backgrounds."""
    queries = {image for image, _ in dev.queries}
    calibration = {b.image for b in dev.boxes if in_calibration_split(b.image)}
    banned = queries | dev.duplicates_of(queries) | calibration | dev.duplicates_of(calibration)
    by_image: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {}
    for box in dev.boxes:
        if box.image not in banned:
            by_image.setdefault(box.image, []).append((box.brand, box.box))
    crops: dict[str, list[tuple[np.ndarray, tuple[int, int, int, int]]]] = {}
    patches: list[np.ndarray] = []
    for image, boxes in sorted(by_image.items()):
        bgr = cv2.imread(str(dev.image_path(image)))
        if bgr is None:
            raise SystemExit(f"unreadable training photo: {dev.image_path(image)}")
        photo = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        for brand, b in boxes:
            if min(b[2] - b[0], b[3] - b[1]) >= 16:
                crops.setdefault(brand, []).append((photo, b))
        h, w = photo.shape[:2]
        for _ in range(20):
            s = int(rng.uniform(0.3, 0.6) * min(h, w))
            x, y = int(rng.integers(0, w - s + 1)), int(rng.integers(0, h - s + 1))
            if all(x + s <= b[0] or b[2] <= x or y + s <= b[1] or b[3] <= y for _, b in boxes):
                patches.append(photo[y : y + s, x : x + s].copy())
                if len(patches) % 2 == 0:
                    break
    return crops, patches


def make_batch(rng: np.random.Generator, icons: tuple[list[np.ndarray], list[np.ndarray], list[str]],
               crops: dict[str, list[tuple[np.ndarray, tuple[int, int, int, int]]]],
               backgrounds: Backgrounds, n_icons: int, n_crops: int, side: int) -> tuple[torch.Tensor, torch.Tensor]:
    masks, colours, _ = icons
    anchors, positives = [], []
    for i in rng.choice(len(masks), n_icons, replace=False):
        if rng.random() < 0.75:
            anchors.append(icon_clean_view(masks[i], colours[i], rng, side))
        else:
            anchors.append(icon_scene_view(masks[i], colours[i], rng, side, backgrounds))
        positives.append(icon_scene_view(masks[i], colours[i], rng, side, backgrounds))
    brands = sorted(crops)
    for brand in rng.choice(brands, min(n_crops, len(brands)), replace=False):
        pool = crops[brand]
        a, b = (int(i) for i in rng.choice(len(pool), 2, replace=len(pool) < 2))
        anchors.append(crop_view(pool[a][0], pool[a][1], rng, side, scene=False))
        positives.append(crop_view(pool[b][0], pool[b][1], rng, side, scene=True))

    def tensor(views: list[np.ndarray]) -> torch.Tensor:
        return torch.from_numpy(np.stack(views).astype(np.float32) / 255.0).permute(0, 3, 1, 2)

    return tensor(anchors), tensor(positives)


def info_nce(a: torch.Tensor, p: torch.Tensor, temperature: float) -> torch.Tensor:
    logits = a @ p.T / temperature
    target = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--minutes", type=float, default=35.0)
    parser.add_argument("--max-steps", type=int, default=2000)
    parser.add_argument("--icons-per-batch", type=int, default=48)
    parser.add_argument("--crops-per-batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--version", default="logo-effl0-synth-v1")
    parser.add_argument("--calibration-photos", type=int, default=0,
                        help="validation photos/regions to calibrate on (0: all)")
    parser.add_argument("--calibration-distractors", type=int, default=CALIBRATION_DISTRACTORS,
                        help="other brands' simple-icons marks registered while calibrating")
    parser.add_argument("--background-regions", type=int, default=BACKGROUND_REGIONS,
                        help="box-free regions of each validation photo calibrated as negatives")
    parser.add_argument("--calibrate-only", action="store_true",
                        help="skip training; fit calibration.json for the weights in --out")
    args = parser.parse_args()
    if args.calibrate_only:
        calibrate(args.data, args.out, args.seed, args.threads, args.calibration_photos,
                  args.calibration_distractors, args.background_regions)
        return
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    dev = load_dev(args.data)
    held_out = dev_slugs(dev)
    icons = load_icons(held_out)
    crops, patches = load_photos(dev, rng)
    backgrounds = Backgrounds(patches)
    print(f"{len(icons[0])} icon classes (held out: {sorted(held_out)}), "
          f"{sum(len(v) for v in crops.values())} training boxes, {len(patches)} backgrounds, "
          f"prepared in {time.time() - started:.0f}s", flush=True)

    config = EmbedderConfig(dim=256, input_size=args.size, version=args.version)
    model = LogoEmbedder.pretrained(config)
    for p in model.backbone._conv_stem.parameters():
        p.requires_grad = False
    for block in model.backbone._blocks[:FROZEN_BLOCKS]:
        for p in block.parameters():
            p.requires_grad = False
    head = list(model.proj.parameters())
    trunk = [p for p in model.backbone.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([{"params": head, "lr": 2e-3}, {"params": trunk, "lr": 3e-4}],
                                  weight_decay=1e-4)
    temperature = 0.07
    deadline = started + args.minutes * 60
    history: list[float] = []
    step = 0
    model.train()
    for module in model.modules():  # keep ImageNet BN statistics: batches are small and synthetic
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eval()
    while step < args.max_steps and time.time() < deadline:
        progress = min(1.0, (time.time() - started) / (deadline - started))
        for group, base in zip(optimizer.param_groups, (2e-3, 3e-4), strict=True):
            group["lr"] = base * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * progress)))
        anchors, positives = make_batch(rng, icons, crops, backgrounds, args.icons_per_batch,
                                        args.crops_per_batch, args.size)
        embeddings = model(torch.cat([anchors, positives]))
        loss = info_nce(embeddings[: len(anchors)], embeddings[len(anchors) :], temperature)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.item())
        step += 1
        if step % 25 == 0:
            print(f"step {step} loss {np.mean(history[-25:]):.3f} "
                  f"elapsed {(time.time() - started) / 60:.1f} min", flush=True)
        if step % 200 == 0:
            model.eval()
            model.save(args.out)
            model.train()
            for module in model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.eval()
    model.eval()
    model.save(args.out)
    report = {"steps": step, "minutes": round((time.time() - started) / 60, 1), "seed": args.seed,
              "final_loss": float(np.mean(history[-50:])) if history else None,
              "icon_classes": len(icons[0]), "held_out_slugs": sorted(held_out),
              "training_boxes": sum(len(v) for v in crops.values()), "backgrounds": len(patches),
              "batch": {"icons": args.icons_per_batch, "crops": args.crops_per_batch},
              "input_size": args.size, "frozen_blocks": FROZEN_BLOCKS, "threads": args.threads}
    save_report(args.out, report)
    calibrate(args.data, args.out, args.seed, args.threads)


def save_report(out: Path, report: dict[str, object]) -> None:
    """Write a training run's record to `out`/training.json and print it."""
    (out / "training.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report), flush=True)


def calibrate(data: Path, weights: Path, seed: int, threads: int, max_photos: int = 0,
              distractors: int = CALIBRATION_DISTRACTORS, regions: int = BACKGROUND_REGIONS) -> None:
    """Fit the score calibration on a validation split of training photos (see validation.py),
    with `distractors` other brands registered beside the dev brands: at a catalogue's scale
    a mark found by its keypoints often ranks below other brands' views by embedding."""
    from screening.image.calibration import Calibration
    from screening.image.signal import REPORT_FLOOR, ImageSignal
    from screening.image.validation import (
        best_samples,
        build_signal_with_references,
        collect,
        fit,
        split_metrics,
        validation_photos,
    )

    torch.set_num_threads(threads)
    dev = load_dev(data)
    rng = np.random.default_rng(seed)
    signal = ImageSignal.load(weights, use_ocr=False, calibration=Calibration())  # refitted below
    build_signal_with_references(dev, signal, distractors)
    photos = validation_photos(dev, seed, regions)
    if max_photos and len(photos) > max_photos:
        photos = [photos[i] for i in sorted(rng.choice(len(photos), max_photos, replace=False))]
    started = time.time()
    samples = collect(signal, photos, progress=True)
    calibration = fit(samples, note=f"{len(photos)} validation photos/regions of the training split, "
                                    f"{distractors} distractor brands (weights {signal.embedder.version})")
    weights.mkdir(parents=True, exist_ok=True)
    calibration.save(weights / "calibration.json")
    m = split_metrics([(s, calibration.probability_of(s.features)) for s in best_samples(samples, calibration)],
                      photos, REPORT_FLOOR)
    print(f"calibrated on {len(samples)} proposals from {len(photos)} photos/regions in "
          f"{time.time() - started:.0f}s, report floor {REPORT_FLOOR:g}: {m.summary()}", flush=True)

if __name__ == "__main__":
    main()
