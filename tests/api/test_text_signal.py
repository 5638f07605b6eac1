"""The text signal through the HTTP API: registered brands, disguised titles, evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

Headers = dict[str, str]


def register(client: TestClient, admin: Headers, **body: Any) -> str:
    response = client.post("/v1/brands", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def screen(client: TestClient, flow: Headers, listing_id: str, title: str,
           price: float | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"listing_id": listing_id, "title": title, **extra}
    if price is not None:
        body["price"] = {"amount": price, "currency": "USD"}
    response = client.post("/v1/screen", json=body, headers=flow)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_disguised_titles_match_registered_brands_with_readable_evidence(
        client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> None:
    miu = register(client, admin, name="Miu Miu", aliases=["MiuMiu", "缪缪"], product_lines=["Wander"],
                   category="bags", price_floor={"amount": 800, "currency": "USD"})
    register(client, admin, name="Coach", category="bags", price_floor={"amount": 200, "currency": "USD"})
    flow = make_key("listing-flow")

    result = screen(client, flow, "T-1", "New min min Wander shoulder bag", price=35)
    assert result["decision"] in ("review", "block")
    match = result["matches"][0]
    assert match["brand_id"] == miu and match["brand"] == "Miu Miu"
    text = next(e for e in match["evidence"] if e["signal"] == "text")
    start, end = text["span"]
    assert text["field"] == "title" and "New min min Wander shoulder bag"[start:end] == "min min"
    assert "'min min' reads as 'Miu Miu'" in text["detail"] and "u↔n look-alike" in text["detail"]
    assert any(e["signal"] == "price" for e in match["evidence"])
    assert result["model_version"].startswith("screening-1+text:text-rules-")

    styled = screen(client, flow, "T-2", "𝑴𝒊𝒖 𝑴𝒊𝒖 quilted bag", price=40)
    assert styled["decision"] != "allow" and styled["matches"][0]["brand_id"] == miu

    assert screen(client, flow, "T-3", "Coach bus seat cover universal fit", price=20)["decision"] == "allow"


def test_a_brand_added_later_is_screened_by_the_next_call(
        client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> None:
    flow = make_key("listing-flow")
    assert screen(client, flow, "N-1", "Qorvessa leather tote bag", price=30)["decision"] == "allow"
    brand = register(client, admin, name="Qorvessa", category="bags",
                     price_floor={"amount": 600, "currency": "USD"})
    result = screen(client, flow, "N-2", "Q0rvesa leather tote bag", price=30)
    assert result["decision"] != "allow" and result["matches"][0]["brand_id"] == brand


def test_compatibility_and_authorized_sellers_are_not_flagged(
        client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> None:
    register(client, admin, name="Apple", product_lines=["iPhone", "Apple Watch"], category="electronics",
             price_floor={"amount": 99, "currency": "USD"})
    register(client, admin, name="Prada", category="bags", authorized_sellers=["S-prada"],
             price_floor={"amount": 900, "currency": "USD"})
    flow = make_key("listing-flow")
    assert screen(client, flow, "C-1", "Sport band compatible with Apple Watch 41mm",
                  price=8)["decision"] == "allow"
    assert screen(client, flow, "C-2", "Clear case for iPhone 15 shockproof", price=4)["decision"] == "allow"
    official = screen(client, flow, "C-3", "Prada nylon shoulder bag", price=1500, seller_id="S-prada")
    assert official["decision"] == "allow" and official["matches"][0]["authorized_seller"] is True
    fake = screen(client, flow, "C-4", "Prada nylon shoulder bag 1:1 mirror quality", price=45)
    assert fake["decision"] == "block"
    assert [f["code"] for f in fake["flags"]] == ["counterfeit_phrase"]
