"""Per-photo latency and peak memory of the image signals (logo, OCR, near-duplicate).

Indexes `--marks` reference marks (simple-icons marks in their colours, one brand each), then
screens `--photos` synthetic 1024-px JPEG photos that each hold one registered and one
unregistered mark, `--passes` times over (3 by default: this machine's speed drifts). A
photo's time covers safe decoding and `ImageSignal.evaluate` (windows, FAISS search, crop
re-embedding, RANSAC verification, OCR, PDQ). `--backend both` runs the
trunk on ONNX Runtime and on torch, each in a fresh process, so peak memory is per back-end.

    .venv/bin/python scripts/bench/bench_logo.py                 # ONNX Runtime vs torch
    .venv/bin/python scripts/bench/bench_logo.py --backend onnxruntime --marks 1000 --photos 40
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from screening.image.synth import flat, icon_marks


def rss_mib() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def photo(rng: np.random.Generator, marks: list[tuple[np.ndarray, np.ndarray]], side: int) -> bytes:
    """A 4:3 photo, longest side `side`: a smooth scene with each mark pasted at 6-20% width."""
    import cv2

    w, h = side, side * 3 // 4
    scene = cv2.resize(rng.integers(40, 230, (3, 4, 3)).astype(np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    scene = np.clip(scene + rng.normal(0, 5, scene.shape), 0, 255).astype(np.float32)
    for mask, colour in marks:
        size = int(rng.uniform(0.06, 0.2) * w)
        m = cv2.resize(mask, (size, size), interpolation=cv2.INTER_AREA)[..., None] / 255.0
        x, y = int(rng.integers(0, w - size)), int(rng.integers(0, h - size))
        region = scene[y : y + size, x : x + size]
        region[:] = region * (1 - m) + colour * m
    buffer = io.BytesIO()
    Image.fromarray(scene.astype(np.uint8)).save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def run(args: argparse.Namespace) -> dict[str, object]:
    import torch

    torch.set_num_threads(args.threads)
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from screening.db.tables import Base
    from screening.image.decode import decode_image
    from screening.image.signal import ImageSignal
    from screening.index.brand_index import BrandIndex
    from screening.types import BrandProfile, Catalogue, DecodedImage, Listing, MarkKind, ScreeningInput

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    signal = ImageSignal.load(args.weights, use_ocr=not args.no_ocr, backend=args.backend)
    load_s = time.perf_counter() - t0
    icons = icon_marks(args.marks + args.photos)
    registered, unregistered = icons[: args.marks], icons[args.marks :]
    with tempfile.TemporaryDirectory(prefix="bench-logo-") as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        index = BrandIndex(sessions, Path(tmp))
        signal.open_index(index)
        profiles = {slug: BrandProfile(id=slug, name=slug) for slug, _, _ in registered}
        t0 = time.perf_counter()
        with sessions() as session:
            for slug, mask, colour in registered:
                signal.on_mark_added(session, index, profiles[slug], f"mark-{slug}", MarkKind.LOGO, flat(mask, colour))
            session.commit()
        index_s = time.perf_counter() - t0
        catalogue = Catalogue(profiles)
        photos = []
        for i in range(args.photos + 2):
            present = registered[int(rng.integers(len(registered)))]
            absent = unregistered[i % len(unregistered)]
            photos.append(photo(rng, [(present[1], present[2]), (absent[1], absent[2])], args.side))
        times, found = [], 0
        for n in range(args.passes):  # several passes, so a moment of load elsewhere weighs less
            for i, data in enumerate(photos):
                t0 = time.perf_counter()
                decoded = decode_image(data, max_bytes=10_000_000, max_pixels=40_000_000)
                item = ScreeningInput(Listing(f"b{i}", "item"), [DecodedImage(0, decoded.rgb, decoded.sha256)],
                                      catalogue)
                output = signal.evaluate(item)
                if i < 2:  # the first two warm up caches and the OCR engine
                    continue
                times.append(time.perf_counter() - t0)
                if n == 0:
                    found += any(e.signal == "logo" and e.score >= 0.5 for e in output.evidence)
    ms = np.array(times) * 1000
    return {"backend": signal.embedder.trunk.name, "ocr": not args.no_ocr, "threads": args.threads,
            "trunk_threads": signal.embedder.trunk.threads,
            "marks": args.marks, "vectors": index.spaces(), "photo_side": args.side,
            "photos": args.photos, "passes": args.passes,
            "p50_ms": round(float(np.percentile(ms, 50))), "p95_ms": round(float(np.percentile(ms, 95))),
            "mean_ms": round(float(ms.mean())), "load_s": round(load_s, 1), "index_s": round(index_s, 1),
            "index_ms_per_mark": round(1000 * index_s / args.marks, 1),
            "photos_with_a_logo_hit": found, "rss_mib": round(rss_mib()),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="both", choices=["both", "onnxruntime", "torch"])
    parser.add_argument("--marks", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--side", type=int, default=1024)
    parser.add_argument("--passes", type=int, default=3, help="times each photo is screened")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--no-ocr", action="store_true")
    args = parser.parse_args()
    if args.backend != "both":
        print(json.dumps(run(args)), flush=True)
        return
    rows = []
    for backend in ("onnxruntime", "torch"):
        argv = [a for a in sys.argv[1:]]
        if "--backend" in argv:
            i = argv.index("--backend")
            del argv[i : i + 2]
        out = subprocess.run([sys.executable, __file__, *argv, "--backend", backend],
                             check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    for row in rows:
        print(f"{row['backend']:>12}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, peak RSS "
              f"{row['peak_rss_mib']} MiB ({row['marks']} marks, {row['photo_side']}-px photos, "
              f"OCR {'on' if row['ocr'] else 'off'}, {row['threads']} torch threads, "
              f"trunk {row['trunk_threads']}, load {row['load_average']})")
    fastest = min(rows, key=lambda r: float(r["p50_ms"]))
    print(f"faster here: {fastest['backend']}")


if __name__ == "__main__":
    main()
