"""Cross-validate the logo calibration on the calibration split, to choose detector and
calibration settings on held-out photos rather than on the photos the logistic was fitted to.

The detector runs once over the split's photos and up to `--regions` box-free regions of each
(`screening.image.validation`, the same references and distractor brands as the shipped
calibration). Its proposals are then split by photo into 3 folds (crc32(photo + "cv") % 3:
the split itself is crc32 % 3 == 0). For each R in `--train-regions` the logistic is fitted on
two folds with the first R regions of each photo, and the third fold is scored with all of
its regions. The output gives AP and recall at P0.98 over (photo, brand) pairs (pairs that
no proposal reached count at 0), the right brand first, and regions scored >= 0.5.

    .venv/bin/python scripts/cv_logo_calibration.py                                # ~2.5 min
    .venv/bin/python scripts/cv_logo_calibration.py --set windows_per_brand=1      # a variant
    .venv/bin/python scripts/cv_logo_calibration.py --save /tmp/s7.pkl             # keep the proposals
    .venv/bin/python scripts/cv_logo_calibration.py --load /tmp/s7.pkl --drop colour_sim   # seconds

`--load` skips the detector and reuses proposals saved by `--save` (same `--seed` and
`--regions`); `--drop` leaves calibration features out, so a feature's worth is measured
without running the detector again.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import zlib
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import screening.image.calibration as calibration_module
from screening.image.calibration import Calibration
from screening.image.evaluation import load_dev
from screening.image.signal import REPORT_FLOOR, ImageSignal
from screening.image.validation import (
    Sample,
    best_samples,
    build_signal_with_references,
    collect,
    fit,
    split_metrics,
    validation_photos,
)
from scripts.train_logo_embedder import CALIBRATION_DISTRACTORS, OUT


def region_of(name: str) -> int:
    """The region's index, -1 for a whole photo."""
    return int(name.split("#bg")[1]) if "#bg" in name else -1


def fold_of(name: str) -> int:
    return zlib.crc32((name.split("#bg")[0] + "cv").encode()) % 3


def cross_validate(samples: list[Sample], train_regions: int) -> list[tuple[Sample, float]]:
    """Each fold's proposals scored by a calibration fitted on the other two, pooled over the
    3 folds."""
    scored: list[tuple[Sample, float]] = []
    for fold in range(3):
        train = [s for s in samples if fold_of(s.image) != fold and region_of(s.image) < train_regions]
        calibration = fit(train, note="cv")
        held_out = best_samples([s for s in samples if fold_of(s.image) == fold], calibration)
        scored.extend((s, calibration.probability_of(s.features)) for s in held_out)
    return scored


def without_features(samples: list[Sample], drop: list[str]) -> list[Sample]:
    """The samples with the `drop` features' columns removed; the calibration then fits the
    features left (`FEATURES` is narrowed for this process only)."""
    names = calibration_module.FEATURES
    unknown = set(drop) - set(names)
    if unknown:
        raise SystemExit(f"unknown features {sorted(unknown)}; the features are {', '.join(names)}")
    if samples and len(samples[0].features) != len(names):
        raise SystemExit(f"the proposals have {len(samples[0].features)} features, the detector {len(names)}")
    if not drop:
        return samples
    keep = [i for i, name in enumerate(names) if name not in drop]
    calibration_module.FEATURES = tuple(names[i] for i in keep)
    return [replace(s, features=s.features[keep]) for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--weights", type=Path, default=OUT)
    parser.add_argument("--regions", type=int, default=5, help="box-free regions a photo to collect")
    parser.add_argument("--train-regions", type=int, nargs="+", default=[2, 5])
    parser.add_argument("--distractors", type=int, default=CALIBRATION_DISTRACTORS)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="a DetectorConfig override (numbers), e.g. windows_per_brand=1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--save", type=Path, help="write the collected proposals to this file")
    parser.add_argument("--load", type=Path, help="read proposals written by --save instead of collecting")
    parser.add_argument("--drop", nargs="+", default=[], metavar="FEATURE",
                        help="calibration features to leave out, e.g. colour_sim")
    parser.add_argument("--report-floors", type=float, nargs="+", default=[REPORT_FLOOR],
                        help="logo scores the service reports from (the first brand counts only at or "
                             "above it; 'reported' counts background regions' brands that reach it)")
    args = parser.parse_args()
    dev = load_dev(args.data)
    photos = validation_photos(dev, args.seed, args.regions)
    if args.load:
        if args.set:
            raise SystemExit("--set changes the detector, which --load does not run")
        with args.load.open("rb") as handle:
            samples: list[Sample] = pickle.load(handle)  # a file --save wrote; never load others
        strangers = {s.image for s in samples} - {photo.name for photo in photos}
        if strangers:
            raise SystemExit(f"{args.load} holds proposals of {len(strangers)} photos/regions that "
                             f"--seed {args.seed} --regions {args.regions} does not draw")
        print(f"{len(samples)} proposals from {len(photos)} photos/regions, read from {args.load}")
    else:
        signal = ImageSignal.load(args.weights, use_ocr=False, calibration=Calibration())
        overrides = {field: float(value) if "." in value else int(value)
                     for field, value in (item.split("=", 1) for item in args.set)}
        signal.detector.config = replace(signal.detector.config, **overrides)  # type: ignore[arg-type]
        build_signal_with_references(dev, signal, args.distractors)
        samples = collect(signal, photos, progress=True)
        print(f"{len(samples)} proposals from {len(photos)} photos/regions; {signal.detector.config}")
    if args.save:
        with args.save.open("wb") as handle:
            pickle.dump(samples, handle)
    samples = without_features(samples, args.drop)
    for r in args.train_regions:
        scored = cross_validate(samples, r)  # fitted once; the floors only count differently
        for floor in args.report_floors:
            m = split_metrics(scored, photos, floor)
            print(f"fitted with {r} regions a photo, report floor {floor:g}: {m.summary()}", flush=True)


if __name__ == "__main__":
    main()
