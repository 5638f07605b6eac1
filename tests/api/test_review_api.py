"""The review queue through the API: claim, lease, decide, grouping, feedback, audit, metrics."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from screening.db.tables import ReviewEventRow, ReviewItemRow, ReviewLabelRow

Headers = dict[str, str]


pytestmark = pytest.mark.usefixtures("single_review")


def make_brand(client: TestClient, admin: Headers, name: str = "Gucci", **extra: Any) -> str:
    body = {"name": name, "review_threshold": 0.5, "block_threshold": 0.95, **extra}
    response = client.post("/v1/brands", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def photo(seed: int = 1, size: int = 96, quality: int = 90) -> bytes:
    """A textured JPEG (PDQ needs texture); the same seed gives near-duplicates at other sizes."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (12, 12, 3), dtype=np.uint8)
    image = Image.fromarray(base).resize((size, size), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def screen(client: TestClient, flow: Headers, listing_id: str, title: str, seller: str | None = "S-1",
           images: list[bytes] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"listing_id": listing_id, "title": title, "seller_id": seller}
    if images:
        body["images"] = [{"data": base64.b64encode(i).decode()} for i in images]
    response = client.post("/v1/screen", json=body, headers=flow)
    assert response.status_code == 200, response.text
    return dict(response.json())


def sessions(client: TestClient) -> Any:
    return client.app.state.service.sessions  # type: ignore[attr-defined]


def decide(client: TestClient, headers: Headers, item_id: str, outcome: str = "infringing",
           reason: str = "counterfeit", **extra: Any) -> Any:
    return client.post(f"/v1/review/{item_id}/decision",
                       json={"outcome": outcome, "reason": reason, "note": "checked", **extra}, headers=headers)


@pytest.fixture
def setup(client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> dict[str, Any]:
    return {"brand": make_brand(client, admin), "flow": make_key("listing-flow"),
            "mod1": make_key("moderator"), "mod2": make_key("moderator")}


def test_claim_decide_follows_the_contract(client: TestClient, setup: dict[str, Any]) -> None:
    result = screen(client, setup["flow"], "L-1", "Gucci bag")
    assert result["decision"] == "review" and result["review_item_id"]
    claimed = client.post("/v1/review/claim", headers=setup["mod1"])
    assert claimed.status_code == 200, claimed.text
    item = claimed.json()
    assert item["id"] == result["review_item_id"] and item["status"] == "claimed"
    assert item["due_at"] and item["factors"]["risk"] == pytest.approx(result["risk"])
    assert item["members"][0]["listing_id"] == "L-1" and item["screening"]["decision"] == "review"
    assert client.post("/v1/review/claim", headers=setup["mod2"]).status_code == 204
    assert decide(client, setup["mod2"], item["id"]).status_code == 409  # held by another
    done = decide(client, setup["mod1"], item["id"])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "decided" and done.json()["outcome"] == "infringing"
    assert decide(client, setup["mod1"], item["id"]).status_code == 409  # already decided
    listed = client.get("/v1/review/items?status=decided", headers=setup["mod1"]).json()
    assert [(i["id"], i["reason"]) for i in listed["items"]] == [(item["id"], "counterfeit")]
    assert listed["next_cursor"] is None
    again = screen(client, setup["flow"], "L-1", "Gucci bag")
    assert again["decision"] == "block"


def test_roles_and_bad_input(client: TestClient, setup: dict[str, Any]) -> None:
    screen(client, setup["flow"], "L-1", "Gucci bag")
    assert client.post("/v1/review/claim", headers=setup["flow"]).status_code == 403
    assert client.post("/v1/review/claim").status_code == 401
    item = client.post("/v1/review/claim", headers=setup["mod1"]).json()
    bad = decide(client, setup["mod1"], item["id"], reason="because")
    assert bad.status_code == 422 and "reason" in bad.json()["detail"]
    assert decide(client, setup["mod1"], "rvw_missing").status_code == 404


def test_never_claimed_item_is_refused(client: TestClient, setup: dict[str, Any]) -> None:
    item_id = screen(client, setup["flow"], "L-1", "Gucci bag")["review_item_id"]
    assert decide(client, setup["mod1"], item_id).status_code == 409


def test_expired_lease_returns_the_item(client: TestClient, setup: dict[str, Any]) -> None:
    item_id = screen(client, setup["flow"], "L-1", "Gucci bag")["review_item_id"]
    assert client.post("/v1/review/claim", headers=setup["mod1"]).json()["id"] == item_id
    with sessions(client)() as session, session.begin():
        session.execute(update(ReviewItemRow).values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/v1/review/items?status=open", headers=setup["mod1"]).json()["items"][0]["id"] == item_id
    assert client.post("/v1/review/claim", headers=setup["mod2"]).json()["id"] == item_id
    assert decide(client, setup["mod1"], item_id).status_code == 409
    assert decide(client, setup["mod2"], item_id).status_code == 200
    log = client.get(f"/v1/review/audit.csv?item_id={item_id}", headers=setup["mod1"])
    actions = [row["action"] for row in csv.DictReader(io.StringIO(log.text))]
    assert actions[:5] == ["enqueue", "claim", "expire", "claim", "decide"]


def test_renew_and_release(client: TestClient, setup: dict[str, Any]) -> None:
    screen(client, setup["flow"], "L-1", "Gucci bag")
    item = client.post("/v1/review/claim", headers=setup["mod1"]).json()
    renewed = client.post(f"/v1/review/{item['id']}/lease", json={"lease_seconds": 1200}, headers=setup["mod1"])
    assert renewed.status_code == 200 and renewed.json()["lease_expires_at"] > item["lease_expires_at"]
    assert client.post(f"/v1/review/{item['id']}/lease", headers=setup["mod2"]).status_code == 409
    assert client.post(f"/v1/review/{item['id']}/release", headers=setup["mod1"]).json()["status"] == "open"
    assert client.post("/v1/review/claim", headers=setup["mod2"]).json()["id"] == item["id"]


def test_same_title_and_near_duplicate_photo_are_grouped(client: TestClient, setup: dict[str, Any]) -> None:
    first = screen(client, setup["flow"], "L-1", "Gucci Bag!!", seller="S-1")
    second = screen(client, setup["flow"], "L-2", "gucci   bag", seller="S-2")
    other = screen(client, setup["flow"], "L-3", "Gucci wallet", seller="S-3", images=[photo(7, 128)])
    dup = screen(client, setup["flow"], "L-4", "GUCCI tote new", seller="S-4", images=[photo(7, 160, 70)])
    assert first["review_item_id"] == second["review_item_id"]
    assert other["review_item_id"] == dup["review_item_id"] != first["review_item_id"]
    titles = {"L-1": "Gucci Bag!!", "L-2": "gucci   bag", "L-3": "Gucci wallet", "L-4": "GUCCI tote new"}
    for _ in range(2):
        item = client.post("/v1/review/claim", headers=setup["mod1"]).json()
        listings = sorted(m["listing_id"] for m in item["members"])
        assert listings in (["L-1", "L-2"], ["L-3", "L-4"])
        assert decide(client, setup["mod1"], item["id"], "not_infringing", "generic_use").status_code == 200
        for member in item["members"]:  # one decision, applied to every listing of the group
            again = screen(client, setup["flow"], member["listing_id"], titles[member["listing_id"]],
                           seller=member["seller_id"], images=[photo(7, 128)] if member["listing_id"] == "L-3"
                           else [photo(7, 160, 70)] if member["listing_id"] == "L-4" else None)
            assert again["decision"] == "allow"
    assert client.post("/v1/review/claim", headers=setup["mod1"]).status_code == 204


def test_overdue_first_then_priority_and_seller_history(
    client: TestClient, admin: Headers, setup: dict[str, Any]
) -> None:
    heavy = make_brand(client, admin, "Prada")
    client.patch(f"/v1/brands/{heavy}", json={"block_threshold": 0.95}, headers=admin)
    low = screen(client, setup["flow"], "L-1", "Gucci bag", seller="S-new")["review_item_id"]
    with sessions(client)() as session, session.begin():  # a seller with a history of blocks
        session.execute(update(ReviewItemRow).where(ReviewItemRow.id == low).values(priority=0.1))
    repeat = screen(client, setup["flow"], "L-2", "Gucci belt", seller="S-bad")["review_item_id"]
    old = screen(client, setup["flow"], "L-3", "Gucci scarf", seller="S-3")["review_item_id"]
    with sessions(client)() as session, session.begin():
        session.execute(update(ReviewItemRow).where(ReviewItemRow.id == old)
                        .values(due_at=datetime.now(UTC) - timedelta(minutes=5), priority=0.05))
    order = [client.post("/v1/review/claim", headers=setup["mod1"]).json()["id"] for _ in range(3)]
    assert order == [old, repeat, low]
    overdue = client.get(f"/v1/review/items/{old}", headers=setup["mod1"]).json()
    assert overdue["overdue"] is True
    stats = client.get("/v1/review/stats", headers=setup["mod1"]).json()
    assert stats["overdue"] == 1 and stats["claimed"] == 3 and stats["depth"] == 0


def test_seller_strikes_raise_priority(client: TestClient, setup: dict[str, Any]) -> None:
    clean = screen(client, setup["flow"], "L-1", "Gucci bag", seller="S-clean")["review_item_id"]
    blocked = screen(client, setup["flow"], "L-2", "Gucci belt", seller="S-bad")["review_item_id"]
    for _ in (clean, blocked):
        assert client.post("/v1/review/claim", headers=setup["mod1"]).status_code == 200
    assert decide(client, setup["mod1"], blocked).status_code == 200  # S-bad now has a strike
    assert decide(client, setup["mod1"], clean, "not_infringing", "generic_use").status_code == 200
    a = screen(client, setup["flow"], "L-3", "Gucci scarf", seller="S-clean")["review_item_id"]
    b = screen(client, setup["flow"], "L-4", "Gucci hat", seller="S-bad")["review_item_id"]
    items = {i["id"]: i for i in client.get("/v1/review/items?status=open", headers=setup["mod1"]).json()["items"]}
    assert items[b]["factors"]["seller_strikes"] == 1 and items[a]["factors"]["seller_strikes"] == 0
    assert items[b]["priority"] > items[a]["priority"]


def test_authorized_seller_feedback(client: TestClient, admin: Headers, setup: dict[str, Any]) -> None:
    screen(client, setup["flow"], "L-1", "Gucci bag", seller="S-shop")
    item = client.post("/v1/review/claim", headers=setup["mod1"]).json()
    assert decide(client, setup["mod1"], item["id"], "not_infringing", "authorized_seller").status_code == 200
    brand = client.get(f"/v1/brands/{setup['brand']}", headers=admin).json()
    assert "S-shop" in brand["authorized_sellers"]
    assert screen(client, setup["flow"], "L-9", "Gucci shoes", seller="S-shop")["decision"] == "allow"


def test_infringing_photos_become_reference_marks(client: TestClient, admin: Headers, setup: dict[str, Any]) -> None:
    screen(client, setup["flow"], "L-1", "Gucci bag", images=[photo(3)])
    item = client.post("/v1/review/claim", headers=setup["mod1"]).json()
    sha = item["members"][0]["images"][0]["sha256"]
    done = decide(client, setup["mod1"], item["id"], reference_photos=[sha])
    assert done.status_code == 200, done.text
    marks = client.get(f"/v1/brands/{setup['brand']}/marks", headers=admin).json()["items"]
    assert [m["kind"] for m in marks] == ["product_photo"] and done.json()["reference_marks"] == [marks[0]["id"]]
    with sessions(client)() as session:
        labels = session.scalars(select(ReviewLabelRow)).all()
        assert [(lb.listing_id, lb.label, lb.reason) for lb in labels] == [("L-1", 1, "counterfeit")]


def test_audit_log_is_append_only_and_exported(client: TestClient, setup: dict[str, Any]) -> None:
    screen(client, setup["flow"], "L-1", "Gucci bag")
    item = client.post("/v1/review/claim", headers=setup["mod1"]).json()
    client.post(f"/v1/review/{item['id']}/release", headers=setup["mod1"])
    item = client.post("/v1/review/claim", headers=setup["mod2"]).json()
    decide(client, setup["mod2"], item["id"])
    exported = client.get("/v1/review/audit.csv", headers=setup["mod1"])
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["enqueue", "claim", "release", "claim", "decide", "apply"]
    assert '"outcome": "infringing"' in rows[4]["detail"]
    with pytest.raises(DBAPIError), sessions(client)() as session, session.begin():
        session.execute(update(ReviewEventRow).values(action="tampered"))
    with pytest.raises(DBAPIError), sessions(client)() as session, session.begin():
        session.execute(delete(ReviewEventRow))


def test_metrics_expose_queue_gauges(client: TestClient, setup: dict[str, Any]) -> None:
    screen(client, setup["flow"], "L-1", "Gucci bag")
    client.get("/metrics")
    text = client.get("/metrics").text
    assert "screening_review_queue_depth 1.0" in text and "screening_review_oldest_age_seconds" in text
