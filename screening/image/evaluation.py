"""FlickrLogos-27 dev helpers: reading the folder, picking reference crops, metrics.

Reference crops come from TRAINING boxes only, never from a training photo that is a
near-duplicate of a query photo. Metrics are over (photo, brand) pairs.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Box:
    image: str
    brand: str
    box: tuple[int, int, int, int]

    @property
    def area(self) -> int:
        x0, y0, x1, y1 = self.box
        return (x1 - x0) * (y1 - y0)


@dataclass(frozen=True)
class DevSet:
    root: Path
    brands: dict[str, dict[str, str]]  # label -> brands.tsv row
    boxes: list[Box]
    queries: list[tuple[str, str]]  # (image, brand label or "none")
    near_duplicates: set[frozenset[str]]
    also_present: set[tuple[str, str]]

    def image_path(self, name: str) -> Path:
        return self.root / "images" / name

    def duplicates_of(self, names: Iterable[str]) -> set[str]:
        wanted = set(names)
        out: set[str] = set()
        for pair in self.near_duplicates:
            if pair & wanted:
                out |= pair
        return out - wanted


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def in_calibration_split(image: str) -> bool:
    """A fixed third of the training photos calibrates scores; the embedder never trains on it."""
    return zlib.crc32(image.encode()) % 3 == 0


def load_dev(root: Path) -> DevSet:
    brands = {row["brand"]: row for row in _rows(root / "brands.tsv")}
    boxes = [Box(r["image"], r["brand"], (int(r["x1"]), int(r["y1"]), int(r["x2"]), int(r["y2"])))
             for r in _rows(root / "train_annotations.tsv")]
    queries = [(r["image"], r["brand"]) for r in _rows(root / "query.tsv")]
    dups = {frozenset((r["image_a"], r["image_b"])) for r in _rows(root / "near_duplicates.tsv")}
    also = {(r["image"], r["brand"]) for r in _rows(root / "also_present.tsv")}
    return DevSet(root, brands, boxes, queries, dups, also)


def pick_references(dev: DevSet, per_brand: int = 3, exclude: set[str] | None = None,
                    min_side: int = 24) -> dict[str, list[Box]]:
    """Largest boxes from distinct training photos that are not near-duplicates of queries."""
    query_images = {image for image, _ in dev.queries}
    banned = dev.duplicates_of(query_images) | (exclude or set())
    chosen: dict[str, list[Box]] = {}
    for brand in sorted(dev.brands):
        candidates = sorted((b for b in dev.boxes if b.brand == brand and b.image not in banned),
                            key=lambda b: (-b.area, b.image))
        picked: list[Box] = []
        for box in candidates:
            x0, y0, x1, y1 = box.box
            if min(x1 - x0, y1 - y0) < min_side:
                continue
            if box.image in {p.image for p in picked} or dev.duplicates_of({p.image for p in picked}) & {box.image}:
                continue
            picked.append(box)
            if len(picked) == per_brand:
                break
        chosen[brand] = picked
    return chosen


def reference_marks(dev: DevSet) -> dict[str, list[tuple[str, np.ndarray]]]:
    """Per brand label: (mark id, RGB) of its reference crops (`pick_references`) and, where
    simple-icons has the brand, its SVG mark rendered."""
    from PIL import Image

    from screening.image.decode import decode_image

    out: dict[str, list[tuple[str, np.ndarray]]] = {}
    for label, boxes in pick_references(dev).items():
        marks = []
        for i, box in enumerate(boxes):
            with Image.open(dev.image_path(box.image)) as image:
                marks.append((f"{label}-crop-{i}", np.asarray(image.convert("RGB").crop(box.box))))
        svg = dev.brands[label].get("svg") or ""
        if svg and (dev.root / svg).exists():
            decoded = decode_image((dev.root / svg).read_bytes(), max_bytes=10_000_000,
                                   max_pixels=40_000_000, allow_svg=True)
            marks.append((f"{label}-svg", decoded.rgb))
        out[label] = marks
    return out


def dev_slugs(dev: DevSet) -> set[str]:
    """The dev brands' simple-icons slugs and lower-cased labels: an icon whose slug holds
    one of them is a dev brand's mark (kept out of training pairs and distractors)."""
    slugs = {row["simple_icons_slug"] for row in dev.brands.values() if row.get("simple_icons_slug")}
    return slugs | {label.lower() for label in dev.brands}


def distractor_icons(dev: DevSet, count: int, from_end: bool = False
                     ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """`count` simple-icons marks of brands that are not dev brands (see `icon_marks`): a
    marketplace catalogue's other brands. The evaluation takes them from the start of the
    pack, the calibration (`from_end`) from the end, so the two sets do not overlap."""
    from screening.image.synth import icon_marks

    if count <= 0:
        return []
    slugs = dev_slugs(dev)
    icons = [icon for icon in icon_marks(count + 100, from_end)
             if not any(slug in icon[0] for slug in slugs)]
    return icons[:count]


@dataclass(frozen=True)
class Metrics:
    average_precision: float
    recall_at_p98: float
    top1: float
    no_logo_flag_rate: float
    pairs: int
    positives: int

    def lines(self) -> list[str]:
        return [
            f"average precision over (photo, brand) pairs: {self.average_precision:.3f}",
            f"recall at precision 0.98:                    {self.recall_at_p98:.3f}",
            f"right brand first on logo photos:            {self.top1:.3f}",
            f"no-logo photos with a score >= 0.5:          {self.no_logo_flag_rate:.3f}",
            f"(pairs {self.pairs}, positives {self.positives})",
        ]


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = labels[order]
    if hits.sum() == 0:
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / hits.sum())


def recall_at_precision(scores: np.ndarray, labels: np.ndarray, target: float) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = labels[order]
    tp = np.cumsum(hits)
    precision = tp / np.arange(1, len(hits) + 1)
    ok = np.nonzero(precision >= target)[0]
    return float(tp[ok.max()] / max(1, hits.sum())) if len(ok) else 0.0


def compute_metrics(per_photo: Sequence[tuple[str, str, dict[str, float]]],
                    brands: Sequence[str], also_present: set[tuple[str, str]]) -> Metrics:
    """`per_photo`: (image, true brand or "none", {brand: score}); every brand is a pair."""
    scores: list[float] = []
    labels: list[int] = []
    top1: list[bool] = []
    flagged: list[bool] = []
    for image, truth, found in per_photo:
        for brand in brands:
            if (image, brand) in also_present and brand != truth:
                continue
            scores.append(found.get(brand, 0.0))
            labels.append(int(brand == truth))
        if truth == "none":
            flagged.append(max(found.values(), default=0.0) >= 0.5)
        else:
            best = max(found.items(), key=lambda kv: kv[1], default=("", 0.0))
            top1.append(best[0] == truth and best[1] > 0)
    s, y = np.array(scores), np.array(labels)
    return Metrics(average_precision(s, y), recall_at_precision(s, y, 0.98),
                   float(np.mean(top1)) if top1 else 0.0,
                   float(np.mean(flagged)) if flagged else 0.0, len(s), int(y.sum()))
