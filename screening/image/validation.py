"""Calibration of the logo score on a validation split of TRAINING photos.

References are the same 3 training crops per brand that the evaluation registers (plus the
simple-icons mark); validation photos are the training photos of the calibration split
(`in_calibration_split`, which the embedder never trains on), minus references and
near-duplicates of references and of query photos. Box-free regions of those photos stand in for no-logo
photos. Query and no-logo photos are never read.
"""

from __future__ import annotations

import io
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from screening.image.calibration import Calibration, fit_logistic
from screening.image.evaluation import (
    DevSet,
    average_precision,
    distractor_icons,
    in_calibration_split,
    pick_references,
    recall_at_precision,
    reference_marks,
)
from screening.image.signal import ImageSignal
from screening.image.synth import flat

ATTEMPTS = 200  # random placements tried per photo for its background regions
# Calibration-split training photos that show another dev brand's mark with no box, found by
# looking at the highest-scoring negative proposals (photos and regions) on 2026-12-06: both
# are shelves of Pepsi (boxed) beside Coca-Cola (not boxed).
UNBOXED_MARKS: dict[str, frozenset[str]] = {
    "3088829946.jpg": frozenset({"Cocacola"}),
    "3880700257.jpg": frozenset({"Cocacola"}),
}


@dataclass(frozen=True)
class Sample:
    image: str
    brand: str
    positive: bool
    features: np.ndarray


def build_signal_with_references(dev: DevSet, signal: ImageSignal, distractors: int = 0) -> None:
    """Register the dev brands' reference marks into a fresh temporary index, and one
    simple-icons mark each of `distractors` other brands (`distractor_icons(from_end=True)`,
    none of the evaluation's), so scores are calibrated at a catalogue's scale."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from screening.db.tables import Base
    from screening.index.brand_index import BrandIndex
    from screening.types import BrandProfile, MarkKind

    tmp = Path(tempfile.mkdtemp(prefix="logo-cal-"))
    engine = create_engine(f"sqlite:///{tmp / 'cal.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    index = BrandIndex(sessions, tmp)
    signal.open_index(index)
    for label, marks in reference_marks(dev).items():
        profile = BrandProfile(id=label, name=dev.brands[label]["name"])
        with sessions() as session:
            for mark_id, rgb in marks:
                signal.on_mark_added(session, index, profile, mark_id, MarkKind.LOGO, rgb)
            session.commit()
    with sessions() as session:
        for slug, mask, colour in distractor_icons(dev, distractors, from_end=True):
            profile = BrandProfile(id=f"distractor:{slug}", name=slug)
            signal.on_mark_added(session, index, profile, f"distractor:{slug}", MarkKind.LOGO,
                                 flat(mask, colour))
        session.commit()


@dataclass(frozen=True)
class ValidationPhoto:
    """A calibration photo or box-free region: the brands it shows (positives), and brands
    it may show without a box, whose proposals are neither positive nor negative."""

    name: str
    rgb: np.ndarray
    present: frozenset[str]
    ignored: frozenset[str] = frozenset()


def validation_photos(dev: DevSet, seed: int, regions: int) -> list[ValidationPhoto]:
    """Validation photos and up to `regions` box-free background regions of each. Each photo
    draws its regions from its own generator, so a photo's first k regions are the same
    whatever `regions` is.

    FlickrLogos-27 boxes are partial: a photo often shows its brand again outside its boxes
    (a shelf, a coaster wall, a wordmark beside a boxed symbol), so a region is no negative
    for the photo's own brands; and `UNBOXED_MARKS` lists the photos that show another dev
    brand with no box at all."""
    refs = {box.image for boxes in pick_references(dev).values() for box in boxes}
    queries = {image for image, _ in dev.queries}
    banned = refs | queries | dev.duplicates_of(refs | queries)
    by_image: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {}
    for box in dev.boxes:
        if box.image not in banned and in_calibration_split(box.image):
            by_image.setdefault(box.image, []).append((box.brand, box.box))
    out: list[ValidationPhoto] = []
    for name, boxes in sorted(by_image.items()):
        with Image.open(dev.image_path(name)) as image:
            rgb = np.asarray(image.convert("RGB"))
        present = frozenset(brand for brand, _ in boxes)
        unboxed = UNBOXED_MARKS.get(name, frozenset())
        out.append(ValidationPhoto(name, rgb, present, unboxed))
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        h, w = rgb.shape[:2]
        found = 0
        for attempt in range(ATTEMPTS):
            low = 0.5 - 0.3 * attempt / ATTEMPTS  # large regions first, smaller ones when logos fill the photo
            bw, bh = int(rng.uniform(low, low + 0.2) * w), int(rng.uniform(low, low + 0.2) * h)
            if min(bw, bh) < 96:
                continue
            x, y = int(rng.integers(0, w - bw + 1)), int(rng.integers(0, h - bh + 1))
            margin = 8
            if all(x + bw + margin <= b[0] or b[2] + margin <= x or y + bh + margin <= b[1]
                   or b[3] + margin <= y for _, b in boxes):
                out.append(ValidationPhoto(f"{name}#bg{found}", rgb[y : y + bh, x : x + bw].copy(),
                                           frozenset(), present | unboxed))
                found += 1
                if found == regions:
                    break
    return out


def collect(signal: ImageSignal, photos: list[ValidationPhoto], progress: bool = False) -> list[Sample]:
    """Features of every proposal (not only each brand's best) of every photo, in one pass."""
    samples: list[Sample] = []
    for i, photo in enumerate(photos):
        for cand in signal.detect_all(photo.rgb):
            if cand.brand_id not in photo.ignored:
                samples.append(Sample(photo.name, cand.brand_id, cand.brand_id in photo.present,
                                      cand.features.vector()))
        if progress and (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(photos)} photos", flush=True)
    return samples


@dataclass(frozen=True)
class SplitMetrics:
    """Figures over (photo, brand) pairs, as the evaluation counts them."""

    ap: float
    recall_at_p98: float
    missed: int  # positive pairs no proposal reached (scored 0)
    positives: int
    first: int  # logo photos whose highest-scoring brand is one they show
    logo_photos: int
    flagged: int  # background regions whose highest score is >= 0.5
    regions: int
    reported: int = 0  # brands scored >= the report floor, over all background regions

    def summary(self) -> str:
        """One line of every figure, as the calibration scripts print them."""
        return (f"(photo, brand) AP {self.ap:.3f}, recall@P0.98 {self.recall_at_p98:.3f} "
                f"({self.missed} of {self.positives} pairs got no proposal), right brand first "
                f"{self.first}/{self.logo_photos}, background regions >= 0.5: {self.flagged}/{self.regions}, "
                f"brands reported on background regions {self.reported}")


def split_metrics(scored: list[tuple[Sample, float]], photos: list[ValidationPhoto],
                  report_floor: float = 0.0) -> SplitMetrics:
    """Metrics of each (photo, brand)'s best proposal and its score, over `photos`. A logo
    photo's leader counts as first only when it scores at least `report_floor` (the service
    reports no weaker match), and `reported` counts the background regions' brands that do."""
    leader: dict[str, tuple[float, bool]] = {}
    for sample, score in scored:
        if sample.image not in leader or score > leader[sample.image][0]:
            leader[sample.image] = (score, sample.positive)
    reached = {(s.image, s.brand) for s, _ in scored if s.positive}
    missed = sum(1 for photo in photos for brand in photo.present if (photo.name, brand) not in reached)
    scores = np.array([score for _, score in scored] + [0.0] * missed)
    labels = np.array([float(s.positive) for s, _ in scored] + [1.0] * missed)
    logos = [photo.name for photo in photos if photo.present]
    regions = {photo.name for photo in photos if not photo.present}

    def reported(score: float) -> bool:
        return score > 0 and score >= report_floor

    def first(name: str) -> bool:
        score, positive = leader.get(name, (0.0, False))
        return positive and reported(score)

    return SplitMetrics(average_precision(scores, labels), recall_at_precision(scores, labels, 0.98),
                        missed, int(labels.sum()), sum(1 for name in logos if first(name)), len(logos),
                        sum(1 for name in regions if leader.get(name, (0.0, False))[0] >= 0.5), len(regions),
                        sum(1 for s, score in scored if s.image in regions and reported(score)))


def best_samples(samples: list[Sample], calibration: Calibration) -> list[Sample]:
    """Each (photo, brand)'s highest-scoring proposal under `calibration`, as the detector picks."""
    best: dict[tuple[str, str], tuple[float, Sample]] = {}
    for sample in samples:
        score = calibration.probability_of(sample.features)
        key = (sample.image, sample.brand)
        if key not in best or score > best[key][0]:
            best[key] = (score, sample)
    return [sample for _, sample in best.values()]


def fit(samples: list[Sample], note: str, rounds: int = 3) -> Calibration:
    """Fit on all proposals, then refit on the per-(photo, brand) best under the last fit."""
    chosen = samples
    calibration: Calibration | None = None
    for _ in range(max(1, rounds)):
        x = np.stack([s.features for s in chosen])
        y = np.array([float(s.positive) for s in chosen])
        calibration = fit_logistic(x, y, note=note)
        chosen = best_samples(samples, calibration)
    assert calibration is not None
    return calibration


def encode_png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()
