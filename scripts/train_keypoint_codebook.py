"""Train the keypoint index's codebook: coarse centroids and 8-bit quantiser ranges.

The catalogue-wide descriptor index (`screening.image.keypoint_index`) is an inverted file
over RootSIFT descriptors. Its centroids are learned once, here, from descriptors of
simple-icons marks (rendered as reference files are) and of the dev TRAINING photos (never
query or no-logo photos), so that marks can be added as they arrive without retraining.

    .venv/bin/python scripts/train_keypoint_codebook.py      # ~2 min on 2 cores
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import faiss
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.image.embed import DEFAULT_WEIGHTS, trim_uniform_border
from screening.image.evaluation import load_dev
from screening.image.keypoint_index import CODEBOOK_FILE, DESCRIPTOR_DIM
from screening.image.verify import keypoints, reference_keypoints


def icon_descriptors(count: int) -> np.ndarray:
    from screening.image.synth import flat, icon_marks

    found = [reference_keypoints(trim_uniform_border(flat(mask, colour))).descriptors
             for _, mask, colour in icon_marks(count)]
    return np.concatenate(found)


def photo_descriptors(root: Path, photos: int, side: int, features: int) -> np.ndarray:
    dev = load_dev(root)
    banned = {image for image, _ in dev.queries}
    banned |= dev.duplicates_of(banned)
    names = sorted({box.image for box in dev.boxes} - banned)[:photos]
    found = []
    for name in names:
        with Image.open(dev.image_path(name)) as image:
            found.append(keypoints(np.asarray(image.convert("RGB")), side, features).descriptors)
    return np.concatenate(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--icons", type=int, default=1500)
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--lists", type=int, default=256)
    parser.add_argument("--sample", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)  # k-means on one thread reproduces bit for bit
    started = time.perf_counter()
    icons = icon_descriptors(args.icons)
    photos = photo_descriptors(args.data, args.photos, 800, 1500)
    rng = np.random.default_rng(0)
    data = np.concatenate([icons, photos]).astype(np.float32)
    sample = data[np.sort(rng.choice(len(data), min(args.sample, len(data)), replace=False))]
    quantizer = faiss.IndexFlatL2(DESCRIPTOR_DIM)
    index = faiss.IndexIVFScalarQuantizer(quantizer, DESCRIPTOR_DIM, args.lists,
                                          faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_L2)
    index.cp.seed = 0
    index.train(sample)
    args.out.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(args.out / CODEBOOK_FILE))
    report = {"icon_descriptors": len(icons), "photo_descriptors": len(photos),
              "trained_on": len(sample), "lists": args.lists, "quantiser": "SQ8",
              "seconds": round(time.perf_counter() - started, 1)}
    (args.out / "keypoint_codebook.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
