"""Bad input gets a 4xx problem+json a person can act on, and nothing half-written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from screening.db.engine import make_engine
from screening.db.tables import MarkRow, ScreeningRow
from screening.settings import Settings
from tests.helpers import b64, bomb_png, png_bytes

Headers = dict[str, str]


@pytest.fixture
def flow(make_key: Callable[..., Headers]) -> Headers:
    return make_key("listing-flow")


def count(settings: Settings, table: type) -> int:
    engine = make_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        value = int(connection.scalar(select(func.count()).select_from(table)) or 0)
    engine.dispose()
    return value


def assert_problem(response: object, status: int, mentions: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert mentions in body["detail"], body["detail"]


def test_broken_image_names_its_index(client: TestClient, flow: Headers, settings: Settings) -> None:
    images = [{"data": b64(png_bytes())}, {"data": b64(b"\x89PNG\r\n\x1a\nbroken")}]
    response = client.post("/v1/screen", json={"listing_id": "X", "title": "t", "images": images}, headers=flow)
    assert_problem(response, 422, "images[1]")
    assert count(settings, ScreeningRow) == 0


def test_decompression_bomb_is_refused(client: TestClient, flow: Headers) -> None:
    response = client.post("/v1/screen", json={"listing_id": "X", "title": "t",
                                               "images": [{"data": b64(bomb_png())}]}, headers=flow)
    assert_problem(response, 422, "images[0]")


def test_not_base64(client: TestClient, flow: Headers) -> None:
    response = client.post("/v1/screen", json={"listing_id": "X", "title": "t",
                                               "images": [{"data": "***not base64***"}]}, headers=flow)
    assert_problem(response, 422, "base64")


def test_too_many_images(client: TestClient, flow: Headers) -> None:
    images = [{"data": b64(png_bytes())}] * 17
    response = client.post("/v1/screen", json={"listing_id": "X", "title": "t", "images": images}, headers=flow)
    assert_problem(response, 422, "images")


@pytest.mark.parametrize(("field", "size"), [("title", 1001), ("description", 20_001)])
def test_text_over_limit(client: TestClient, flow: Headers, field: str, size: int) -> None:
    listing = {"listing_id": "X", "title": "t", field: "x" * size}
    assert_problem(client.post("/v1/screen", json=listing, headers=flow), 422, field)


def test_odd_unicode_is_screened_not_refused(client: TestClient, flow: Headers) -> None:
    title = "\u202e\u200b𝑪𝒉𝒂𝒏𝒆𝒍\ufeff 🅶🆄🅲🅲🅸 \x00 " + "\U0010ffff" * 10 + "̀" * 50
    response = client.post("/v1/screen", json={"listing_id": "U", "title": title}, headers=flow)
    assert response.status_code == 200, response.text


def test_invalid_json_and_wrong_types(client: TestClient, flow: Headers) -> None:
    response = client.post("/v1/screen", content=b'{"listing_id": "X", "title": ',
                           headers={**flow, "content-type": "application/json"})
    assert_problem(response, 422, "not valid JSON")
    wrong = client.post("/v1/screen", json={"listing_id": 5, "title": ["a"]}, headers=flow)
    assert_problem(wrong, 422, "title")
    price = client.post("/v1/screen", json={"listing_id": "X", "title": "t",
                                            "price": {"amount": "cheap", "currency": "USD"}}, headers=flow)
    assert_problem(price, 422, "price.amount")
    nul_id = client.post("/v1/screen", json={"listing_id": "X\x00", "title": "t"}, headers=flow)
    assert_problem(nul_id, 422, "NUL")


def test_batch_with_one_bad_listing_stores_nothing(client: TestClient, flow: Headers, settings: Settings) -> None:
    listings = [{"listing_id": "OK", "title": "fine"},
                {"listing_id": "BAD", "title": "t", "images": [{"data": b64(b"nope")}]}]
    response = client.post("/v1/screen:batch", json={"listings": listings}, headers=flow)
    assert_problem(response, 422, "listings[1]: images[0]")
    assert count(settings, ScreeningRow) == 0
    too_many = client.post("/v1/screen:batch", json={"listings": [listings[0]] * 257}, headers=flow)
    assert_problem(too_many, 422, "listings")


def test_bad_marks(client: TestClient, admin: Headers, settings: Settings) -> None:
    brand_id = client.post("/v1/brands", json={"name": "Acme"}, headers=admin).json()["id"]
    url = f"/v1/brands/{brand_id}/marks"
    cases = [
        (("m.png", b"not an image", "image/png"), "logo", 422, "PNG, JPEG or WebP"),
        (("m.gif", _gif(), "image/gif"), "logo", 422, "GIF"),
        (("m.png", bomb_png(), "image/png"), "logo", 422, "bomb"),
        (("m.svg", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><svg>&a;</svg>',
          "image/svg+xml"), "logo", 422, "SVG"),
        (("m.png", png_bytes(), "image/png"), "banner", 422, "kind"),
        (("m.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024), "image/png"), "logo", 413, "limit"),
    ]
    for file, kind, status, mention in cases:
        assert_problem(client.post(url, files={"file": file}, data={"kind": kind}, headers=admin), status, mention)
    assert count(settings, MarkRow) == 0
    unknown = client.post("/v1/brands/brd_missing/marks", files={"file": ("m.png", png_bytes(), "image/png")},
                          headers=admin)
    assert_problem(unknown, 404, "brd_missing")


def test_svg_active_content_is_stripped(client: TestClient, admin: Headers, settings: Settings) -> None:
    brand_id = client.post("/v1/brands", json={"name": "Acme"}, headers=admin).json()["id"]
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
           b'<script>alert(2)</script><rect width="10" height="5" fill="red"/></svg>')
    response = client.post(f"/v1/brands/{brand_id}/marks", files={"file": ("m.svg", svg, "image/svg+xml")},
                           headers=admin)
    assert response.status_code == 201, response.text
    sha = response.json()["sha256"]
    stored = (settings.marks_dir / sha[:2] / sha).read_bytes()
    assert b"script" not in stored and b"onload" not in stored and b"rect" in stored


def test_unknown_ids_and_routes(client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> None:
    assert_problem(client.get("/v1/brands/brd_nope", headers=admin), 404, "brd_nope")
    assert_problem(client.patch("/v1/brands/brd_nope", json={"name": "x"}, headers=admin), 404, "brd_nope")
    moderator = make_key("moderator")
    decision = {"outcome": "infringing", "reason": "counterfeit"}
    assert_problem(client.post("/v1/review/rvw_nope/decision", json=decision, headers=moderator), 404, "rvw_nope")
    bad = client.post("/v1/review/rvw_nope/decision", json={"outcome": "maybe", "reason": "x"}, headers=moderator)
    assert_problem(bad, 422, "outcome")
    assert client.get("/v1/nothing-here").status_code == 404
    assert_problem(client.patch("/v1/brands/brd_nope", json={"colour": "red"}, headers=admin), 422, "colour")


def _gif() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()
