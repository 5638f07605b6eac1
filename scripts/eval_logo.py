"""Measure the logo / OCR / near-duplicate signals on FlickrLogos-27 dev, through the API.

Each dev brand is created with `POST /v1/brands` and gets 3 reference crops from its TRAINING
boxes (never from a near-duplicate of a query photo) plus its simple-icons mark where one
exists, through `POST /v1/brands/{id}/marks`. Every query photo and every no-logo photo is
then screened with `POST /v1/screen` and a neutral title. By default the API runs in process
(FastAPI TestClient on a temporary SQLite data directory); `--api-url` targets a server.

    .venv/bin/python scripts/eval_logo.py
    .venv/bin/python scripts/eval_logo.py --weights /tmp/logo-baseline   # other weights
    .venv/bin/python scripts/eval_logo.py --distractors 300   # 300 more brands registered
    .venv/bin/python scripts/eval_logo.py --api-url http://127.0.0.1:8000 --admin-key KEY

Nothing here is fitted: query and no-logo photos are only screened and counted.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.image.evaluation import (
    DevSet,
    compute_metrics,
    load_dev,
    pick_references,
)

NEUTRAL_TITLE = "item for sale"
ADMIN_KEY = "eval-logo-admin-key-0123456789"


Http = httpx.Client | TestClient  # a server's client, or the in-process app's


def reference_files(dev: DevSet) -> dict[str, list[tuple[str, bytes, str]]]:
    """Per brand label: (filename, bytes, media type) of its reference crops and icon."""
    out: dict[str, list[tuple[str, bytes, str]]] = {}
    for label, boxes in pick_references(dev).items():
        files = []
        for box in boxes:
            with Image.open(dev.image_path(box.image)) as image:
                buffer = io.BytesIO()
                image.convert("RGB").crop(box.box).save(buffer, format="PNG")
            files.append((f"{box.image}-crop.png", buffer.getvalue(), "image/png"))
        svg = dev.brands[label].get("svg") or ""
        if svg and (dev.root / svg).exists():
            files.append((Path(svg).name, (dev.root / svg).read_bytes(), "image/svg+xml"))
        out[label] = files
    return out


@contextmanager
def in_process_api(weights: Path | None, use_ocr: bool) -> Iterator[Http]:
    """The real app on a temporary SQLite data dir, with the image signal from `weights`."""
    from api.main import create_app
    from screening.image.signal import ImageSignal
    from screening.settings import Settings
    from screening.text.signal import text_signal
    from screening.types import Signal

    with tempfile.TemporaryDirectory(prefix="eval-logo-") as tmp:
        settings = Settings(data_dir=Path(tmp), bootstrap_admin_key=ADMIN_KEY)  # type: ignore[arg-type]
        signals: list[Signal] = [text_signal(settings), ImageSignal.load(weights, use_ocr=use_ocr)]
        app = create_app(settings, load_in_background=False, signals=signals)
        with TestClient(app, raise_server_exceptions=True) as client:
            yield client


def register(http: Http, admin: dict[str, str], dev: DevSet) -> dict[str, str]:
    """Create every dev brand and upload its reference marks; brand id → dev label."""
    brand_ids: dict[str, str] = {}
    for label, files in reference_files(dev).items():
        created = http.post("/v1/brands", json={"name": dev.brands[label]["name"]}, headers=admin)
        assert created.status_code == 201, created.text
        brand_id = created.json()["id"]
        brand_ids[brand_id] = label
        for name, data, media in files:
            response = http.post(f"/v1/brands/{brand_id}/marks", headers=admin,
                                 files={"file": (name, data, media)}, data={"kind": "logo"})
            assert response.status_code == 201, response.text
    return brand_ids


def register_distractors(http: Http, admin: dict[str, str], dev: DevSet, count: int) -> dict[str, str]:
    """`count` more brands, each with one simple-icons mark (never a dev brand's), as a
    marketplace's catalogue would hold; brand id → 'distractor:<slug>'."""
    from screening.image.evaluation import distractor_icons
    from screening.image.synth import flat

    out: dict[str, str] = {}
    for slug, mask, colour in distractor_icons(dev, count):
        created = http.post("/v1/brands", json={"name": f"{slug} (distractor)"}, headers=admin)
        assert created.status_code == 201, created.text
        buffer = io.BytesIO()
        Image.fromarray(flat(mask, colour)).save(buffer, format="PNG")
        response = http.post(f"/v1/brands/{created.json()['id']}/marks", headers=admin,
                             files={"file": (f"{slug}.png", buffer.getvalue(), "image/png")},
                             data={"kind": "logo"})
        assert response.status_code == 201, response.text
        out[created.json()["id"]] = f"distractor:{slug}"
    return out


PerPhoto = list[tuple[str, str, dict[str, float]]]


def screen_all(http: Http, admin: dict[str, str], dev: DevSet,
               brand_ids: dict[str, str]) -> tuple[PerPhoto, list[dict[str, Any]], list[float]]:
    key = http.post("/v1/keys", json={"role": "listing-flow"}, headers=admin)
    assert key.status_code == 201, key.text
    flow = {"X-API-Key": key.json()["key"]}
    run = int(time.time())
    results, raw, latencies = [], [], []
    for i, (image_name, truth) in enumerate(dev.queries):
        payload = {"listing_id": f"eval-logo-{run}-{i}", "title": NEUTRAL_TITLE,
                   "images": [{"data": base64.b64encode(dev.image_path(image_name).read_bytes()).decode()}]}
        started = time.perf_counter()
        response = http.post("/v1/screen", json=payload, headers=flow)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        body = response.json()
        found = {brand_ids[m["brand_id"]]: float(m["score"]) for m in body["matches"]
                 if m["brand_id"] in brand_ids}
        results.append((image_name, truth, found))
        raw.append({"image": image_name, "truth": truth, "decision": body["decision"],
                    "matches": [{"brand": brand_ids.get(m["brand_id"]), "score": m["score"],
                                 "evidence": m["evidence"]} for m in body["matches"]]})
        if (i + 1) % 20 == 0:
            print(f"  screened {i + 1}/{len(dev.queries)}", file=sys.stderr, flush=True)
    return results, raw, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/flickrlogos27-dev"))
    parser.add_argument("--weights", type=Path, default=None,
                        help="logo embedder directory (default: models/weights/logo_embedder)")
    parser.add_argument("--no-ocr", action="store_true", help="in process only: logo signal alone")
    parser.add_argument("--api-url")
    parser.add_argument("--admin-key")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--distractors", type=int, default=0,
                        help="also register this many simple-icons brands (one mark each): the "
                             "figures at catalogue scale; a distractor ranked first is a wrong brand")
    parser.add_argument("--dump", type=Path, help="write every screening answer as JSON")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    dev = load_dev(args.data)
    started = time.time()
    if args.api_url:
        if not args.admin_key:
            parser.error("--api-url needs --admin-key")
        admin = {"X-API-Key": args.admin_key}
        with httpx.Client(base_url=args.api_url, timeout=300) as client:
            brand_ids = register(client, admin, dev)
            brand_ids |= register_distractors(client, admin, dev, args.distractors)
            results, raw, latencies = screen_all(client, admin, dev, brand_ids)
    else:
        admin = {"X-API-Key": ADMIN_KEY}
        with in_process_api(args.weights, not args.no_ocr) as client:
            brand_ids = register(client, admin, dev)
            brand_ids |= register_distractors(client, admin, dev, args.distractors)
            print(f"registered {len(brand_ids)} brands in {time.time() - started:.0f}s",
                  file=sys.stderr, flush=True)
            results, raw, latencies = screen_all(client, admin, dev, brand_ids)
    if args.dump:
        args.dump.write_text(json.dumps(raw, indent=1))
    decisions = {(r["image"], r["truth"]): r["decision"] for r in raw}
    metrics = compute_metrics(results, sorted(dev.brands), dev.also_present)
    none = [d for (_, truth), d in decisions.items() if truth == "none"]
    flagged = sum(d != "allow" for d in none)
    lat = np.array(latencies) * 1000
    print("\n".join(metrics.lines()))
    print(f"no-logo photos sent to review or block:      {flagged / max(1, len(none)):.3f} "
          f"({flagged} of {len(none)})")
    print(f"screen latency (photos <= 500 px, in process): p50 {np.percentile(lat, 50):.0f} ms, "
          f"p95 {np.percentile(lat, 95):.0f} ms; total {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
