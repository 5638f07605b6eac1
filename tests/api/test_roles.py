"""Each role can do exactly its part; brand owners see only their own brands."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.helpers import png_bytes

Headers = dict[str, str]
LISTING = {"listing_id": "R-1", "title": "Acme Rocket skates"}


@pytest.fixture
def world(client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> dict[str, object]:
    """Two brands, each with an owner key and a mark, one matched listing each."""
    brands = {}
    for name in ("Acme", "Globex"):
        response = client.post("/v1/brands", json={"name": name}, headers=admin)
        brands[name] = response.json()["id"]
    owner_a = make_key("brand-owner", [brands["Acme"]])
    owner_b = make_key("brand-owner", [brands["Globex"]])
    marks = {}
    for name, owner in (("Acme", owner_a), ("Globex", owner_b)):
        response = client.post(f"/v1/brands/{brands[name]}/marks",
                                files={"file": ("m.png", png_bytes(), "image/png")}, headers=owner)
        assert response.status_code == 201, response.text
        marks[name] = response.json()["id"]
    flow = make_key("listing-flow")
    for name in ("Acme", "Globex"):
        client.post("/v1/screen", json={"listing_id": f"L-{name}", "title": f"{name} bag"}, headers=flow)
    return {"brands": brands, "marks": marks, "owner_a": owner_a, "owner_b": owner_b, "flow": flow,
            "moderator": make_key("moderator"), "admin": admin}


ROUTES: list[tuple[str, str, Callable[[dict[str, object]], dict[str, object]]]] = [
    ("POST", "/v1/screen", lambda w: {"json": LISTING}),
    ("POST", "/v1/screen:batch", lambda w: {"json": {"listings": [LISTING]}}),
    ("POST", "/v1/review/claim", lambda w: {}),
    ("GET", "/v1/review/items", lambda w: {}),
    ("GET", "/v1/brands", lambda w: {}),
    ("POST", "/v1/brands", lambda w: {"json": {"name": "Initech"}}),
    ("POST", "/v1/keys", lambda w: {"json": {"role": "moderator"}}),
]

ALLOWED = {
    "flow": {"/v1/screen", "/v1/screen:batch"},
    "moderator": {"/v1/review/claim", "/v1/review/items"},
    "owner_a": {"/v1/brands"},
    "admin": {route for _, route, _ in ROUTES},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_matrix(client: TestClient, world: dict[str, object], role: str) -> None:
    headers = world[role]
    for method, route, kwargs in ROUTES:
        response = client.request(method, route, headers=headers, **kwargs(world))  # type: ignore[arg-type]
        if route in ALLOWED[role]:
            assert response.status_code in (200, 201, 204), (role, route, response.text)
        else:
            assert response.status_code == 403, (role, route, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "sk_not-a-real-key"}])
def test_missing_or_unknown_key_is_401(client: TestClient, headers: Headers) -> None:
    for method, route, _ in ROUTES:
        assert client.request(method, route, headers=headers).status_code == 401


def test_brand_owner_cannot_touch_another_brand(client: TestClient, world: dict[str, object]) -> None:
    brands: dict[str, str] = world["brands"]  # type: ignore[assignment]
    marks: dict[str, str] = world["marks"]  # type: ignore[assignment]
    owner_a: Headers = world["owner_a"]  # type: ignore[assignment]
    other = brands["Globex"]
    listed = client.get("/v1/brands", headers=owner_a).json()["items"]
    assert [b["id"] for b in listed] == [brands["Acme"]]
    attempts = [
        client.get(f"/v1/brands/{other}", headers=owner_a),
        client.patch(f"/v1/brands/{other}", json={"name": "Mine"}, headers=owner_a),
        client.get(f"/v1/brands/{other}/marks", headers=owner_a),
        client.post(f"/v1/brands/{other}/marks", files={"file": ("m.png", png_bytes(), "image/png")},
                    headers=owner_a),
        client.delete(f"/v1/brands/{other}/marks/{marks['Globex']}", headers=owner_a),
        client.delete(f"/v1/brands/{brands['Acme']}/marks/{marks['Globex']}", headers=owner_a),
        client.get(f"/v1/brands/{other}/listings", headers=owner_a),
    ]
    for response in attempts:
        assert response.status_code == 404, response.text
        assert "Globex" not in response.text
    admin: Headers = world["admin"]  # type: ignore[assignment]
    assert client.get(f"/v1/brands/{other}", headers=admin).json()["name"] == "Globex"
    assert len(client.get(f"/v1/brands/{other}/marks", headers=admin).json()["items"]) == 1


def test_brand_owner_sees_own_matched_listings(client: TestClient, world: dict[str, object]) -> None:
    brands: dict[str, str] = world["brands"]  # type: ignore[assignment]
    owner_a: Headers = world["owner_a"]  # type: ignore[assignment]
    listings = client.get(f"/v1/brands/{brands['Acme']}/listings", headers=owner_a).json()["items"]
    assert [item["listing_id"] for item in listings] == ["L-Acme"]


def test_brand_owner_creating_a_brand_gets_it_bound(client: TestClient, world: dict[str, object]) -> None:
    owner_a: Headers = world["owner_a"]  # type: ignore[assignment]
    created = client.post("/v1/brands", json={"name": "Acme Kids"}, headers=owner_a)
    assert created.status_code == 201
    names = {b["name"] for b in client.get("/v1/brands", headers=owner_a).json()["items"]}
    assert names == {"Acme", "Acme Kids"}
    owner_b: Headers = world["owner_b"]  # type: ignore[assignment]
    assert client.get(f"/v1/brands/{created.json()['id']}", headers=owner_b).status_code == 404


def test_key_creation_validates_brand_binding(client: TestClient, admin: Headers) -> None:
    assert client.post("/v1/keys", json={"role": "brand-owner"}, headers=admin).status_code == 422
    assert client.post("/v1/keys", json={"role": "brand-owner", "brand_ids": ["brd_nope"]},
                       headers=admin).status_code == 422
    assert client.post("/v1/keys", json={"role": "wizard"}, headers=admin).status_code == 422
