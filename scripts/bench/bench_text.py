"""Titles screened per second by the text signal: in process on one core, and through HTTP.

In process: `TextSignal.evaluate` (rules + encoder + FAISS) over the dev titles with every
brand of brands.tsv registered, one torch/FAISS thread, after one warm-up pass. HTTP: a real
`screening serve` (uvicorn, one process; --pin-core pins it with taskset) on localhost with a temporary
SQLite data dir; titles go one per `POST /v1/screen` and 64 per `POST /v1/screen:batch`
(each result is also stored, as in production).

    .venv/bin/python scripts/bench/bench_text.py [--passes 3] [--http-titles 300] [--no-http]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import httpx  # noqa: E402
import torch  # noqa: E402

from screening.text.evaluation import (  # noqa: E402
    brand_payload,
    catalogue_of,
    load_brands,
    load_titles,
    memory_index,
)
from screening.text.signal import TextSignal  # noqa: E402
from screening.types import Listing, Money, ScreeningInput  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "text"
ADMIN_KEY = "bench-admin-key-" + "0" * 16


def bench_in_process(passes: int) -> float:
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    brands = load_brands(DATA / "brands.tsv")
    rows = load_titles(DATA / "dev_titles.tsv")
    signal = TextSignal.load()
    memory_index(signal, brands)
    catalogue = catalogue_of(brands)
    items = [ScreeningInput(Listing(f"b-{i}", r.title, price=Money(r.price_usd, "USD")
                                    if r.price_usd is not None else None), (), catalogue)
             for i, r in enumerate(rows)]
    for item in items:  # warm-up: compiles the lexicon and fills per-process caches
        signal.evaluate(item)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(passes):
        for item in items:
            signal.evaluate(item)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    n = passes * len(items)
    rate = n / cpu
    print(f"in process, 1 thread: {n} titles, {cpu:.2f}s CPU = {rate:,.0f} titles per CPU-second "
          f"({1000 / rate:.2f} ms/title); wall {elapsed:.2f}s = {n / elapsed:,.0f} titles/s "
          f"(wall is lower when other processes share the core)")
    return rate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


RETRIES = {"count": 0}


def post(client: httpx.Client, url: str, **kwargs: object) -> httpx.Response:
    """POST, retrying a 5xx up to 3 times (SQLite 'database is locked' races, counted and
    reported: see the report of issue 3)."""
    for attempt in range(4):
        response = client.post(url, **kwargs)  # type: ignore[arg-type]
        if response.status_code < 500 or attempt == 3:
            return response.raise_for_status()
        RETRIES["count"] += 1
        time.sleep(0.05)
    raise AssertionError("unreachable")


def bench_http(titles: int, pin_core: int | None) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-text-"))
    port = _free_port()
    env = {**os.environ, "SCREENING_DATA_DIR": str(data_dir),
           "SCREENING_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY, "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    cmd = [str(ROOT / ".venv" / "bin" / "screening"), "serve", "--port", str(port),
           "--log-level", "warning"]
    if pin_core is not None:
        cmd = ["taskset", "-c", str(pin_core), *cmd]
    log_path = data_dir / "server.log"
    log_file = log_path.open("wb")
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.time() + 300
            while time.time() < deadline:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            else:
                raise SystemExit("server did not become ready")
            admin = {"X-API-Key": ADMIN_KEY}
            for brand in load_brands(DATA / "brands.tsv"):
                post(client, "/v1/brands", json=brand_payload(brand), headers=admin)
            key = post(client, "/v1/keys", json={"role": "listing-flow"}, headers=admin).json()["key"]
            flow = {"X-API-Key": key}
            rows = load_titles(DATA / "dev_titles.tsv")
            rows = (rows * (titles // len(rows) + 1))[:titles]
            run = uuid.uuid4().hex[:6]
            post(client, "/v1/screen", json={"listing_id": f"warm-{run}", "title": "warm up"},
                 headers=flow)
            start = time.perf_counter()
            for i, row in enumerate(rows):
                post(client, "/v1/screen", json={"listing_id": f"s-{run}-{i}", "title": row.title},
                     headers=flow)
            single = len(rows) / (time.perf_counter() - start)
            start = time.perf_counter()
            for first in range(0, len(rows), 64):
                batch = [{"listing_id": f"m-{run}-{first + j}", "title": r.title}
                         for j, r in enumerate(rows[first : first + 64])]
                post(client, "/v1/screen:batch", json={"listings": batch}, headers=flow)
            batched = len(rows) / (time.perf_counter() - start)
        pinned = f"pinned to core {pin_core}" if pin_core is not None else "not pinned"
        print(f"HTTP (uvicorn, 1 process {pinned}, SQLite, results stored): "
              f"POST /v1/screen {single:,.0f} titles/s; POST /v1/screen:batch x64 "
              f"{batched:,.0f} titles/s ({len(rows)} titles each; {RETRIES['count']} requests "
              f"retried after a 5xx)")
    except Exception:
        shutil.copy(log_path, Path(tempfile.gettempdir()) / "bench_text_server.log")
        print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--http-titles", type=int, default=300)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--pin-core", type=int, help="run the server under taskset on this core")
    args = parser.parse_args(argv)
    bench_in_process(args.passes)
    if not args.no_http:
        bench_http(args.http_titles, args.pin_core)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
