"""Measure the text signal through the API on the dev titles.

Registers every brand of brands.tsv with POST /v1/brands, screens every dev title (with its
price when given) with POST /v1/screen:batch, and prints the flagged rate of infringing
titles overall and per family, the benign flagged rate, the right-brand rate and the misses.
In process by default (FastAPI TestClient on a temporary SQLite data dir); `--url` screens
against a running server (give it a fresh data dir: brands are registered again).

    .venv/bin/python scripts/eval_text.py
    .venv/bin/python scripts/eval_text.py --url http://127.0.0.1:8000 --admin-key "$KEY"
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.text.evaluation import (
    Outcome,
    brand_payload,
    compute_metrics,
    format_calibration,
    format_report,
    load_brands,
    load_titles,
    misses,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text"
ADMIN_KEY = "eval-admin-key-" + "0" * 16
BATCH = 128


Client = httpx.Client | TestClient  # a server's client, or the in-process app's


@contextlib.contextmanager
def in_process_client(weights: Path | None) -> Iterator[Client]:
    """A TestClient over a fresh app on a temporary SQLite data dir."""
    from api.main import create_app
    from screening.settings import Settings
    from screening.text.signal import TextSignal, text_signal

    with tempfile.TemporaryDirectory(prefix="eval-text-") as tmp:
        settings = Settings(data_dir=Path(tmp), bootstrap_admin_key=ADMIN_KEY)  # type: ignore[arg-type]
        signal = TextSignal.load(weights) if weights else text_signal(settings)
        app = create_app(settings, load_in_background=False, signals=[signal])
        with TestClient(app) as client:
            yield client


@contextlib.contextmanager
def http_client(url: str) -> Iterator[Client]:
    with httpx.Client(base_url=url, timeout=120) as client:
        yield client


def run(client: Client, admin_key: str, brands_path: Path, titles_path: Path) -> list[Outcome]:
    """Register the brands, screen the titles, return one outcome per title."""
    admin = {"X-API-Key": admin_key}
    for brand in load_brands(brands_path):
        response = client.post("/v1/brands", json=brand_payload(brand), headers=admin)
        if response.status_code != 201:
            raise SystemExit(f"registering {brand.name}: {response.status_code} {response.text}")
    response = client.post("/v1/keys", json={"role": "listing-flow"}, headers=admin)
    flow = {"X-API-Key": response.json()["key"]}
    rows = load_titles(titles_path)
    run_id = uuid.uuid4().hex[:8]
    outcomes: list[Outcome] = []
    for first in range(0, len(rows), BATCH):
        chunk = rows[first : first + BATCH]
        listings = []
        for offset, row in enumerate(chunk):
            listing: dict[str, Any] = {"listing_id": f"eval-{run_id}-{first + offset}",
                                       "seller_id": "eval-seller", "title": row.title}
            if row.price_usd is not None:
                listing["price"] = {"amount": row.price_usd, "currency": "USD"}
            listings.append(listing)
        response = client.post("/v1/screen:batch", json={"listings": listings}, headers=flow)
        if response.status_code != 200:
            raise SystemExit(f"screen:batch: {response.status_code} {response.text}")
        for row, result in zip(chunk, response.json()["results"], strict=True):
            top = result["matches"][0] if result["matches"] else None
            detail = ""
            if top:
                text = [e["detail"] for e in top["evidence"] if e["signal"] == "text"]
                detail = text[0] if text else top["evidence"][0]["detail"]
            outcomes.append(Outcome(row, result["risk"], top["brand"] if top else None, detail,
                                    decision=result["decision"]))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", type=Path, default=DATA / "brands.tsv")
    parser.add_argument("--titles", type=Path, default=DATA / "dev_titles.tsv")
    parser.add_argument("--url", help="a running server (default: in process)")
    parser.add_argument("--admin-key", default=os.environ.get("SCREENING_BOOTSTRAP_ADMIN_KEY"))
    parser.add_argument("--weights", type=Path, help="encoder weights dir (in process only)")
    parser.add_argument("--quiet", action="store_true", help="do not list the misses")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.url:
        if not args.admin_key:
            parser.error("--url needs --admin-key or SCREENING_BOOTSTRAP_ADMIN_KEY")
        with http_client(args.url) as client:
            outcomes = run(client, args.admin_key, args.brands, args.titles)
    else:
        with in_process_client(args.weights) as client:
            outcomes = run(client, ADMIN_KEY, args.brands, args.titles)
    metrics = compute_metrics(outcomes)
    format_report(metrics, f"text eval through the API ({args.url or 'in process'}), "
                           f"{len(outcomes)} titles in {time.perf_counter() - start:.1f}s")
    format_calibration(outcomes)
    if not args.quiet:
        print("== misses")
        for kind, out in misses(outcomes):
            print(f"{kind:<15} {out.row.family:<22} want={out.row.brand or '-':<20} "
                  f"got={out.brand or '-':<20} {out.decision} {out.score:.2f} | {out.row.title}"
                  + (f"\n{'':<16}{out.detail}" if out.detail else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
