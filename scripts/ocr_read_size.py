"""Compare the sizes OCR can read photos at, on the logo calibration split (never on query or
no-logo photos): RapidOCR's own sizing ("default": the short side scaled up to 736 px, what
the service uses) and fixed longest sides. For each, brand names read in the split's photos (hits on a
brand the photo shows), names read where the photo shows no such brand, and time per read.

    .venv/bin/python scripts/ocr_read_size.py                    # ~4 min
    .venv/bin/python scripts/ocr_read_size.py --sides 512 640 800
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.image.evaluation import load_dev
from screening.image.ocr import TextReader, match_brands
from screening.image.validation import validation_photos
from screening.types import BrandProfile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--sides", type=int, nargs="+", default=[0, 500, 640, 800, 960],
                        help="longest sides to read at; 0 for RapidOCR's own sizing")
    parser.add_argument("--regions", type=int, default=1, help="box-free regions a photo")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    dev = load_dev(args.data)
    photos = validation_photos(dev, args.seed, args.regions)
    brands = [BrandProfile(id=label, name=dev.brands[label]["name"]) for label in dev.brands]
    print(f"{len(photos)} photos and regions of the calibration split")
    for side in args.sides:
        reader = TextReader(long_side=side or None)
        reader.read(photos[0].rgb)  # loads the engine
        times, right, wrong = [], 0, 0
        for photo in photos:
            started = time.perf_counter()
            boxes = reader.read(photo.rgb)
            times.append(time.perf_counter() - started)
            for hit in match_brands(boxes, brands):
                if hit.brand_id in photo.present:
                    right += 1
                elif hit.brand_id not in photo.ignored:
                    wrong += 1
        ms = np.array(times) * 1000
        print(f"long side {side or 'default':>7}: names read {right:3d}, elsewhere {wrong:2d}; "
              f"p50 {np.percentile(ms, 50):.0f} ms, mean {ms.mean():.0f} ms", flush=True)


if __name__ == "__main__":
    main()
