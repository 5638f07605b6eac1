"""Measure the image signal on FlickrLogos-27 dev.

In-process (default): a temporary SQLite-backed brand index, 3 reference crops per dev brand
from its training boxes (never from a near-duplicate of a query photo) plus its simple-icons
mark, then every query and no-logo photo screened with a neutral title.

    .venv/bin/python scripts/eval_logo.py --data ../shared/data/flickrlogos27-dev
    .venv/bin/python scripts/eval_logo.py --api-url http://127.0.0.1:8000 --admin-key KEY
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.image.evaluation import DevSet, compute_metrics, load_dev, pick_references

NEUTRAL_TITLE = "item for sale"
MAX_BYTES = 10_000_000
MAX_PIXELS = 40_000_000


def reference_files(dev: DevSet) -> dict[str, list[tuple[str, bytes]]]:
    """Per brand label: (filename, bytes) of its reference crops (PNG) and simple-icons mark."""
    refs = pick_references(dev)
    out: dict[str, list[tuple[str, bytes]]] = {}
    for label, boxes in refs.items():
        files = []
        for box in boxes:
            with Image.open(dev.image_path(box.image)) as image:
                buffer = io.BytesIO()
                image.convert("RGB").crop(box.box).save(buffer, format="PNG")
            files.append((f"{box.image}-crop.png", buffer.getvalue()))
        svg = dev.brands[label].get("svg") or ""
        if svg and (dev.root / svg).exists():
            files.append((Path(svg).name, (dev.root / svg).read_bytes()))
        out[label] = files
    return out


def fuse(scores: list[float]) -> float:
    """Noisy-OR, as the policy fuses signals."""
    return float(1.0 - np.prod([1.0 - s for s in scores])) if scores else 0.0


def run_in_process(dev: DevSet, use_ocr: bool, weights: Path | None) -> list[tuple[str, str, dict[str, float]]]:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from screening.db.tables import Base
    from screening.image.decode import decode_image
    from screening.image.signal import ImageSignal
    from screening.index.brand_index import BrandIndex
    from screening.types import (
        BrandProfile,
        Catalogue,
        DecodedImage,
        Listing,
        MarkKind,
        ScreeningInput,
    )

    tmp = Path(tempfile.mkdtemp(prefix="eval-logo-"))
    engine = create_engine(f"sqlite:///{tmp / 'eval.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    index = BrandIndex(sessions, tmp)
    signal = ImageSignal.load(weights, use_ocr=use_ocr)
    signal.open_index(index)
    profiles = {label: BrandProfile(id=label, name=row["name"]) for label, row in dev.brands.items()}
    catalogue = Catalogue(profiles)
    started = time.perf_counter()
    for label, files in reference_files(dev).items():
        with sessions() as session:
            for i, (name, data) in enumerate(files):
                decoded = decode_image(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, allow_svg=True)
                signal.on_mark_added(session, index, profiles[label], f"{label}-{i}-{name}",
                                     MarkKind.LOGO, decoded.rgb)
            session.commit()
    print(f"indexed {index.spaces()} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    results = []
    latencies = []
    for image_name, truth in dev.queries:
        data = dev.image_path(image_name).read_bytes()
        decoded = decode_image(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
        item = ScreeningInput(Listing(image_name, NEUTRAL_TITLE, images=(data,)),
                              [DecodedImage(0, decoded.rgb, decoded.sha256)], catalogue)
        t0 = time.perf_counter()
        output = signal.evaluate(item)
        latencies.append(time.perf_counter() - t0)
        per_brand: dict[str, list[float]] = {}
        for ev in output.evidence:
            per_brand.setdefault(ev.brand_id, []).append(ev.score)
        results.append((image_name, truth, {b: fuse(s) for b, s in per_brand.items()}))
    lat = np.array(latencies) * 1000
    print(f"latency ms p50 {np.percentile(lat, 50):.0f} p95 {np.percentile(lat, 95):.0f} "
          f"(photos up to 500 px)", file=sys.stderr)
    return results


def run_api(dev: DevSet, url: str, admin_key: str) -> list[tuple[str, str, dict[str, float]]]:
    import httpx

    admin = httpx.Client(base_url=url, headers={"X-API-Key": admin_key}, timeout=120)
    brand_ids: dict[str, str] = {}
    for label, files in reference_files(dev).items():
        created = admin.post("/v1/brands", json={"name": dev.brands[label]["name"]})
        created.raise_for_status()
        brand_ids[created.json()["id"]] = label
        for name, data in files:
            media = "image/svg+xml" if name.endswith(".svg") else "image/png"
            response = admin.post(f"/v1/brands/{created.json()['id']}/marks",
                                  files={"file": (name, data, media)}, data={"kind": "logo"})
            response.raise_for_status()
    key = admin.post("/v1/keys", json={"role": "listing-flow"})
    key.raise_for_status()
    flow = httpx.Client(base_url=url, headers={"X-API-Key": key.json()["key"]}, timeout=120)
    results = []
    for i, (image_name, truth) in enumerate(dev.queries):
        payload = {"listing_id": f"eval-logo-{int(time.time())}-{i}", "title": NEUTRAL_TITLE,
                   "images": [{"data": base64.b64encode(dev.image_path(image_name).read_bytes()).decode()}]}
        response = flow.post("/v1/screen", json=payload)
        response.raise_for_status()
        found = {brand_ids[m["brand_id"]]: float(m["score"]) for m in response.json()["matches"]
                 if m["brand_id"] in brand_ids}
        results.append((image_name, truth, found))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--api-url")
    parser.add_argument("--admin-key")
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--dump", type=Path, help="write per-photo scores as JSON")
    args = parser.parse_args()
    dev = load_dev(args.data)
    if args.api_url:
        if not args.admin_key:
            parser.error("--api-url needs --admin-key")
        results = run_api(dev, args.api_url, args.admin_key)
    else:
        results = run_in_process(dev, not args.no_ocr, args.weights)
    if args.dump:
        args.dump.write_text(json.dumps(results, indent=1))
    metrics = compute_metrics(results, sorted(dev.brands), dev.also_present)
    print("\n".join(metrics.lines()))


if __name__ == "__main__":
    main()
