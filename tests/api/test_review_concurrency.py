"""Concurrent claimers never hold the same item (run on SQLite, and on PostgreSQL when configured)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from screening.review import queue
from tests.api.test_review_api import make_brand
from tests.conftest import PG_URL

Headers = dict[str, str]
CLAIMERS = 8
ITEMS = 60
STORE = "postgresql" if PG_URL else "sqlite"


pytestmark = pytest.mark.usefixtures("single_review")


def fill_queue(client: TestClient, admin: Headers, flow: Headers, count: int) -> set[str]:
    make_brand(client, admin)
    listings = [{"listing_id": f"L-{i}", "title": f"Gucci bag lot {i}", "seller_id": f"S-{i % 7}"}
                for i in range(count)]
    response = client.post("/v1/screen:batch", json={"listings": listings}, headers=flow)
    assert response.status_code == 200, response.text
    ids = {r["review_item_id"] for r in response.json()["results"]}
    assert len(ids) == count and None not in ids
    return ids


def run_claimers(count: int, claim_one: Callable[[int], str | None]) -> dict[int, list[str]]:
    """Start `count` threads together; each claims until the queue answers that nothing is left."""
    barrier = threading.Barrier(count)
    claims: dict[int, list[str]] = {n: [] for n in range(count)}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            while (item_id := claim_one(n)) is not None:
                claims[n].append(item_id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return claims


def report(kind: str, claims: dict[int, list[str]], items: set[str]) -> int:
    every = [item for held in claims.values() for item in held]
    doubles = sum(n - 1 for n in Counter(every).values() if n > 1)
    print(f"\n[{kind}] store={STORE} claims={len(every)} claimers={len(claims)} items={len(items)} "
          f"double_claims={doubles} per_claimer={[len(v) for v in claims.values()]}")
    return doubles


def test_concurrent_claimers_through_the_api(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    items = fill_queue(client, admin, make_key("listing-flow"), ITEMS)
    keys = [make_key("moderator") for _ in range(CLAIMERS)]

    def claim_one(n: int) -> str | None:
        response = client.post("/v1/review/claim", headers=keys[n])
        assert response.status_code in (200, 204), response.text
        return str(response.json()["id"]) if response.status_code == 200 else None

    claims = run_claimers(CLAIMERS, claim_one)
    assert report("api", claims, items) == 0
    every = [item for held in claims.values() for item in held]
    assert len(every) == ITEMS and set(every) == items
    holders = {i["id"]: i["claimed_by"] for i in
               client.get("/v1/review/items?status=claimed", headers=admin).json()["items"]}
    assert set(holders) == items
    held_by: dict[str, set[str]] = {}
    for item_id, holder in holders.items():
        held_by.setdefault(holder, set()).add(item_id)
    # Each claimer's items are recorded as held by exactly one key, and no two claimers share one.
    assert sorted(map(sorted, held_by.values())) == sorted(sorted(v) for v in claims.values() if v)


def test_concurrent_claimers_on_the_queue_function(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    """The claim function alone, with more threads than items per round and short-lived sessions."""
    items = fill_queue(client, admin, make_key("listing-flow"), ITEMS)
    sessions = client.app.state.service.sessions  # type: ignore[attr-defined]

    def claim_one(n: int) -> str | None:
        item = queue.claim(sessions, f"key_moderator_{n}", 600)
        return None if item is None else item.id

    claims = run_claimers(2 * CLAIMERS, claim_one)
    assert report("queue.claim", claims, items) == 0
    assert sorted(i for held in claims.values() for i in held) == sorted(items)
