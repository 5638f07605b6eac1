"""The v1 contract end to end through the HTTP API, on whichever store the run uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.helpers import b64, png_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
Headers = dict[str, str]


def create_brand(client: TestClient, headers: Headers, **fields: object) -> dict[str, object]:
    response = client.post("/v1/brands", json={"name": "Miu Miu", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_health_ready_metrics_and_openapi_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] is True
    assert "http_requests_total" in client.get("/metrics").text or client.get("/metrics").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ("/v1/screen", "/v1/screen:batch", "/v1/brands", "/v1/brands/{brand_id}/marks",
                 "/v1/review/claim", "/v1/review/{item_id}/decision", "/v1/review/items", "/v1/keys"):
        assert path in spec["paths"], path


def test_brand_crud_and_marks(client: TestClient, admin: Headers) -> None:
    brand = create_brand(client, admin, aliases=["MiuMiu"], product_lines=["Wander"],
                         price_floor={"amount": 300, "currency": "usd"}, authorized_sellers=["s-1"])
    assert brand["price_floor"] == {"amount": 300.0, "currency": "USD"}
    brand_id = brand["id"]
    patched = client.patch(f"/v1/brands/{brand_id}", json={"aliases": ["MiuMiu", "缪缪"]}, headers=admin)
    assert patched.status_code == 200 and patched.json()["aliases"] == ["MiuMiu", "缪缪"]
    assert patched.json()["product_lines"] == ["Wander"]

    svg = (FIXTURES / "adidas.svg").read_bytes()
    for name, data, media in (("m.svg", svg, "image/svg+xml"), ("m.png", png_bytes(), "image/png")):
        response = client.post(f"/v1/brands/{brand_id}/marks", files={"file": (name, data, media)},
                               data={"kind": "logo"}, headers=admin)
        assert response.status_code == 201, response.text
        assert response.json()["media_type"] == media
    marks = client.get(f"/v1/brands/{brand_id}/marks", headers=admin).json()["items"]
    assert len(marks) == 2
    deleted = client.delete(f"/v1/brands/{brand_id}/marks/{marks[0]['id']}", headers=admin)
    assert deleted.status_code == 204
    assert len(client.get(f"/v1/brands/{brand_id}/marks", headers=admin).json()["items"]) == 1


def test_mark_files_are_content_addressed(client: TestClient, admin: Headers, settings: object) -> None:
    brand_id = create_brand(client, admin)["id"]
    data = png_bytes()
    shas = {
        client.post(f"/v1/brands/{brand_id}/marks", files={"file": ("a.png", data, "image/png")},
                    headers=admin).json()["sha256"]
        for _ in range(2)
    }
    assert len(shas) == 1
    sha = shas.pop()
    assert (settings.marks_dir / sha[:2] / sha).read_bytes() == data  # type: ignore[attr-defined]


def test_screen_finds_brand_with_evidence_and_is_idempotent(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    brand_id = create_brand(client, admin, product_lines=["Wander"],
                            price_floor={"amount": 300, "currency": "USD"})["id"]
    flow = make_key("listing-flow")
    listing = {"listing_id": "L-1", "seller_id": "S-9", "title": "New Miu Miu Wander bag",
               "price": {"amount": 19.9, "currency": "USD"}, "images": [{"data": b64(png_bytes())}]}
    first = client.post("/v1/screen", json=listing, headers=flow)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["decision"] in ("review", "block")
    assert 0 <= body["risk"] <= 1
    match = body["matches"][0]
    assert match["brand_id"] == brand_id and match["brand"] == "Miu Miu"
    signals = {e["signal"] for e in match["evidence"]}
    assert {"text", "price"} <= signals
    text_evidence = next(e for e in match["evidence"] if e["signal"] == "text")
    start, end = text_evidence["span"]
    assert listing["title"][start:end].lower() in ("miu miu", "wander")  # type: ignore[index]
    assert body["model_version"]
    again = client.post("/v1/screen", json=listing, headers=flow)
    assert again.json() == body
    changed = client.post("/v1/screen", json={**listing, "title": "plain canvas tote"}, headers=flow)
    assert changed.json()["decision"] == "allow" and changed.json()["matches"] == []


def test_review_decision_creates_item_and_moderator_decides(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers], single_review: None
) -> None:
    create_brand(client, admin, review_threshold=0.5, block_threshold=0.99)
    flow, moderator, other = make_key("listing-flow"), make_key("moderator"), make_key("moderator")
    result = client.post("/v1/screen", json={"listing_id": "L-7", "title": "miu miu bag"}, headers=flow).json()
    assert result["decision"] == "review" and result["review_item_id"]
    item_id = result["review_item_id"]
    decision = {"outcome": "infringing", "reason": "counterfeit", "note": "fake"}
    assert client.post(f"/v1/review/{item_id}/decision", json=decision, headers=moderator).status_code == 409
    claimed = client.post("/v1/review/claim", headers=moderator)
    assert claimed.status_code == 200 and claimed.json()["id"] == item_id
    assert client.post("/v1/review/claim", headers=other).status_code == 204
    assert client.post(f"/v1/review/{item_id}/decision", json=decision, headers=other).status_code == 409
    decided = client.post(f"/v1/review/{item_id}/decision", json=decision, headers=moderator)
    assert decided.status_code == 200
    assert decided.json()["outcome"] == "infringing" and decided.json()["status"] == "decided"
    assert client.post(f"/v1/review/{item_id}/decision", json=decision, headers=moderator).status_code == 409
    listed = client.get("/v1/review/items?status=decided", headers=moderator).json()
    assert [i["id"] for i in listed["items"]] == [item_id]


def test_batch_screening(client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> None:
    create_brand(client, admin)
    flow = make_key("listing-flow")
    listings = [{"listing_id": f"B-{i}", "title": t} for i, t in enumerate(["Miu Miu top", "garden hose"])]
    response = client.post("/v1/screen:batch", json={"listings": listings}, headers=flow)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["listing_id"] for r in results] == ["B-0", "B-1"]
    assert results[0]["matches"] and not results[1]["matches"]


def test_authorized_seller_is_never_blocked_for_own_brand(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    create_brand(client, admin, authorized_sellers=["S-official"], price_floor={"amount": 300, "currency": "USD"},
                 category="bags")
    flow = make_key("listing-flow")
    listing = {"listing_id": "A-1", "seller_id": "S-official", "title": "Miu Miu Wander bag",
               "price": {"amount": 1200, "currency": "USD"}}
    body = client.post("/v1/screen", json=listing, headers=flow).json()
    assert body["decision"] == "allow" and body["matches"][0]["authorized_seller"] is True
    cheap = {**listing, "listing_id": "A-2", "price": {"amount": 15, "currency": "USD"}}
    assert client.post("/v1/screen", json=cheap, headers=flow).json()["decision"] == "review"
    stranger = {**cheap, "listing_id": "A-3", "seller_id": "S-other"}
    assert client.post("/v1/screen", json=stranger, headers=flow).json()["decision"] == "block"


def test_per_brand_thresholds_override_defaults(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    brand_id = create_brand(client, admin)["id"]
    flow = make_key("listing-flow")
    assert client.post("/v1/screen", json={"listing_id": "T-1", "title": "Miu Miu"}, headers=flow).json()[
        "decision"] == "review"
    client.patch(f"/v1/brands/{brand_id}", json={"review_threshold": 0.95, "block_threshold": 0.99}, headers=admin)
    assert client.post("/v1/screen", json={"listing_id": "T-2", "title": "Miu Miu"}, headers=flow).json()[
        "decision"] == "allow"


def test_pagination(client: TestClient, admin: Headers) -> None:
    for index in range(5):
        create_brand(client, admin, name=f"Brand {index}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/brands", params=params, headers=admin).json()
        seen += [b["name"] for b in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Brand {i}" for i in range(5)]
    assert client.get("/v1/brands", params={"limit": 1001}, headers=admin).status_code == 422
