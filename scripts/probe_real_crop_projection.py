"""Does fine-tuning the projection on real training crops help brands it did not see?

The issue allows metric learning on FlickrLogos-27 dev training crops. This probe fine-tunes
the shipped projection (1280 → 256, after the frozen ImageNet trunk) on jittered training
crops of some dev brands (softmax over every registered brand's reference views, 300
simple-icons distractors included; an L2 pull towards the shipped weights), then ranks the
ground-truth boxes of the calibration split against all 313 brands. It reports top-1 for
the brands trained on and for brands held out of training (two brand-disjoint halves).
Training crops come from outside the calibration split and never from a query photo or its
near-duplicates; query and no-logo photos are never read.

    .venv/bin/python scripts/probe_real_crop_projection.py   # ~1 min on 2 CPU cores

If only the trained brands gain, training on dev crops would memorise the dev brands: the
dev figures would rise and unseen brands would not (models/weights/logo_embedder/MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.image.embed import MarkEmbedder
from screening.image.evaluation import (
    distractor_icons,
    in_calibration_split,
    load_dev,
    pick_references,
    reference_marks,
)
from screening.image.signal import reference_views
from screening.image.synth import flat
from screening.image.verify import expand_box
from scripts.fit_logo_projection import brand_scores, project, raw_crops
from scripts.train_logo_embedder import load_photos


class Features:
    """Raw (pre-projection) trunk features of reference views, calibration boxes and
    jittered training crops, with their brands."""

    def __init__(self, data: Path, embedder: MarkEmbedder, distractors: int, seed: int) -> None:
        dev = load_dev(data)
        rng = np.random.default_rng(seed)
        key_brand: list[str] = []
        views: list[np.ndarray] = []
        for label, marks in reference_marks(dev).items():
            for _, rgb in marks:
                for _, view in reference_views(rgb):
                    key_brand.append(label)
                    views.append(view)
        for slug, mask, colour in distractor_icons(dev, distractors, from_end=True):
            for _, view in reference_views(flat(mask, colour)):
                key_brand.append(f"distractor:{slug}")
                views.append(view)
        refs = {box.image for boxes in pick_references(dev).values() for box in boxes}
        queries = {image for image, _ in dev.queries}
        banned = refs | queries | dev.duplicates_of(refs | queries)
        held = [b for b in dev.boxes if b.image not in banned and in_calibration_split(b.image)]
        boxes = []
        for box in held:
            rgb = np.asarray(Image.open(dev.image_path(box.image)).convert("RGB"))
            x0, y0, x1, y1 = expand_box(box.box, 1.0, rgb.shape[1], rgb.shape[0])
            boxes.append(rgb[y0:y1, x0:x1])
        train_brand: list[str] = []
        crops: list[np.ndarray] = []
        for brand, pool in load_photos(dev, rng)[0].items():  # outside the calibration split
            for photo, (bx0, by0, bx1, by1) in pool:
                for _ in range(4):
                    dx, dy = rng.uniform(-0.1, 0.1) * (bx1 - bx0), rng.uniform(-0.1, 0.1) * (by1 - by0)
                    x0, y0, x1, y1 = expand_box((bx0 + dx, by0 + dy, bx1 + dx, by1 + dy),
                                                rng.uniform(0.9, 1.3), photo.shape[1], photo.shape[0])
                    if x1 - x0 >= 8 and y1 - y0 >= 8:
                        train_brand.append(brand)
                        crops.append(photo[y0:y1, x0:x1])
        self.dev_brands = sorted(dev.brands)
        self.brands = sorted(set(key_brand))
        at = {b: i for i, b in enumerate(self.brands)}
        self.keys = torch.from_numpy(raw_crops(embedder, views))
        self.key_brand = torch.tensor([at[b] for b in key_brand])
        self.boxes = torch.from_numpy(raw_crops(embedder, boxes))
        self.box_brand = [b.brand for b in held]
        self.box_label = torch.tensor([at[b.brand] for b in held])
        self.crops = torch.from_numpy(raw_crops(embedder, crops))
        self.crop_brand = train_brand
        self.crop_label = torch.tensor([at[b] for b in train_brand])


def scores(weight: torch.Tensor, bias: torch.Tensor, queries: torch.Tensor, f: Features) -> torch.Tensor:
    """(Q, brands): each brand's best reference view under the projection."""
    return brand_scores(project(weight, bias, queries), project(weight, bias, f.keys), f.key_brand,
                        len(f.brands))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--distractors", type=int, default=300)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--l2", type=float, default=1e-4, help="pull towards the shipped projection")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    embedder = MarkEmbedder.load()
    f = Features(args.data, embedder, args.distractors, args.seed)
    proj = embedder.model.proj
    assert isinstance(proj, torch.nn.Linear)
    assert embedder.config.prenorm, "the fitting scripts' projection normalises its input"
    w0, b0 = proj.weight.detach().clone(), proj.bias.detach().clone()
    print(f"{len(f.brands)} brands ({len(f.keys)} reference views), {len(f.crops)} training crops, "
          f"{len(f.boxes)} calibration boxes")
    halves = {"first half": f.dev_brands[0::2], "second half": f.dev_brands[1::2]}
    runs = [("all dev brands", f.dev_brands)] + [(f"trained on the {n}", b) for n, b in halves.items()]
    for name, trained in runs:
        weight, bias = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        optimizer = torch.optim.Adam([weight, bias], lr=1e-3)
        rows = torch.tensor([b in trained for b in f.crop_brand])
        x, y = f.crops[rows], f.crop_label[rows]
        for _ in range(args.steps):
            batch = torch.randint(len(x), (128,))
            loss = F.cross_entropy(scores(weight, bias, x[batch], f) / 0.05, y[batch])
            loss = loss + args.l2 * ((weight - w0) ** 2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            before = scores(w0, b0, f.boxes, f).argmax(1) == f.box_label
            after = scores(weight, bias, f.boxes, f).argmax(1) == f.box_label
        seen = torch.tensor([b in trained for b in f.box_brand])
        parts = [f"{label} brands top-1 {before[m].float().mean():.3f} -> {after[m].float().mean():.3f} "
                 f"({int(m.sum())} boxes)" for label, m in (("trained", seen), ("held-out", ~seen)) if m.any()]
        print(f"{name}: " + "; ".join(parts), flush=True)


if __name__ == "__main__":
    main()
