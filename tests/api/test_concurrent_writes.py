"""Concurrent writers through the API never fail on the store's locking (both stores)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from fastapi.testclient import TestClient

Headers = dict[str, str]
THREADS, PER_THREAD = 6, 8


def test_concurrent_screenings_and_brand_writes_all_succeed(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    assert client.post("/v1/brands", json={"name": "Velmora", "category": "bags"}, headers=admin).status_code == 201
    flow = make_key("listing-flow")
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(PER_THREAD):
            if i % 4 == 0:
                response = client.post("/v1/brands", json={"name": f"House {n}-{i}"}, headers=admin)
            else:
                listing = {"listing_id": f"C-{n}-{i}", "title": f"Velmora tote bag {n} {i} 1:1 mirror"}
                response = client.post("/v1/screen", json=listing, headers=flow)
            with lock:
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == Counter({200: THREADS * PER_THREAD * 3 // 4, 201: THREADS * PER_THREAD // 4})
    listed = client.get("/v1/brands?limit=1000", headers=admin).json()["items"]
    assert len(listed) == 1 + THREADS * PER_THREAD // 4


def test_a_write_is_visible_to_the_next_request(client: TestClient, admin: Headers) -> None:
    """The request transaction commits before its response is sent."""
    for n in range(20):
        created = client.post("/v1/brands", json={"name": f"Seq {n}"}, headers=admin)
        assert created.status_code == 201
        assert client.get(f"/v1/brands/{created.json()['id']}", headers=admin).status_code == 200
