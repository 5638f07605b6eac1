"""The moderator console over HTTP: sign-in, roles, CSRF and origin checks, forms, files."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from screening.db.tables import ApiKeyRow, ConsoleSessionRow, ReviewItemRow
from tests.api.test_review_api import make_brand, photo
from tests.conftest import ADMIN_KEY
from tests.helpers import png_bytes

Headers = dict[str, str]


pytestmark = pytest.mark.usefixtures("single_review")


def raw_key(client: TestClient, admin: Headers, role: str, brands: list[str] | None = None) -> str:
    response = client.post("/v1/keys", json={"role": role, "brand_ids": brands or []}, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


def sign_in(client: TestClient, key: str) -> Any:
    page = client.get("/console")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post("/console/login", data={"key": key, "login_token": token.group(1)}, follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console").text)
    assert found
    return found.group(1)


def sessions(client: TestClient) -> Any:
    return client.app.state.service.sessions  # type: ignore[attr-defined]


@pytest.fixture
def world(client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> dict[str, Any]:
    brand = make_brand(client, admin)
    flow = make_key("listing-flow")
    body = {"listing_id": "L-1", "title": "Gucci bag <script>alert(1)</script>", "seller_id": "S-1",
            "images": [{"data": base64.b64encode(photo(3, 120)).decode()}]}
    result = client.post("/v1/screen", json=body, headers=flow).json()
    assert result["decision"] == "review", result
    # Added after screening so that the image models' verdict cannot change the decision.
    mark = client.post(f"/v1/brands/{brand}/marks", files={"file": ("m.png", png_bytes(), "image/png")},
                       data={"kind": "logo"}, headers=admin)
    assert mark.status_code == 201, mark.text
    return {"brand": brand, "mark": mark.json()["id"], "flow": flow, "item": result["review_item_id"],
            "moderator": raw_key(client, admin, "moderator"), "other": raw_key(client, admin, "moderator")}


def test_sign_in_keeps_the_key_out_of_cookies_and_urls(client: TestClient, world: dict[str, Any]) -> None:
    response = sign_in(client, world["moderator"])
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"]
    assert "console_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/console" in cookie and world["moderator"] not in cookie
    page = client.get("/console")
    assert page.status_code == 200 and "Claim next item" in page.text and world["moderator"] not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("role", ["brand-owner", "listing-flow"])
def test_other_roles_cannot_sign_in(client: TestClient, admin: Headers, world: dict[str, Any], role: str) -> None:
    key = raw_key(client, admin, role, [world["brand"]] if role == "brand-owner" else None)
    response = sign_in(client, key)
    assert response.status_code == 403 and "Only moderator keys" in response.text
    assert "console_session" not in response.headers.get("set-cookie", "")
    assert client.get("/console/items/" + world["item"], follow_redirects=False).status_code == 303


def test_unknown_key_stale_form_and_admin(client: TestClient, world: dict[str, Any]) -> None:
    assert sign_in(client, "sk_nope").status_code == 401
    fresh = TestClient(client.app)
    no_cookie = fresh.post("/console/login", data={"key": world["moderator"], "login_token": "forged"})
    assert no_cookie.status_code == 403 and "expired" in no_cookie.text
    assert sign_in(client, ADMIN_KEY).status_code == 303  # admin may do everything


def test_forms_need_the_session_token_and_this_origin(client: TestClient, world: dict[str, Any]) -> None:
    sign_in(client, world["moderator"])
    csrf = csrf_of(client)
    assert client.post("/console/claim", data={}).status_code == 403
    assert client.post("/console/claim", data={"csrf_token": "x" * 43}).status_code == 403
    cross = client.post("/console/claim", data={"csrf_token": csrf}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and "origin" in cross.text
    site = client.post("/console/claim", data={"csrf_token": csrf}, headers={"Sec-Fetch-Site": "cross-site"})
    assert site.status_code == 403
    with sessions(client)() as session:
        assert session.get(ReviewItemRow, world["item"]).status == "open"  # nothing was claimed
    ok = client.post("/console/claim", data={"csrf_token": csrf}, headers={"Origin": "http://testserver"},
                     follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/console/items/{world['item']}"


def test_claim_view_and_decide(client: TestClient, admin: Headers, world: dict[str, Any]) -> None:
    sign_in(client, world["moderator"])
    csrf = csrf_of(client)
    client.post("/console/claim", data={"csrf_token": csrf})
    page = client.get(f"/console/items/{world['item']}")
    assert page.status_code == 200
    assert "<mark" in page.text and "<script>alert(1)</script>" not in page.text  # highlighted and escaped
    assert "&lt;script&gt;" in page.text and f"/console/marks/{world['mark']}" in page.text
    sha = re.search(r"/console/photos/([0-9a-f]{64})", page.text)
    assert sha
    missing = client.post(f"/console/items/{world['item']}/decision",
                          data={"csrf_token": csrf, "outcome": "infringing"})
    assert missing.status_code == 422 and "reason" in missing.text
    bad = client.post(f"/console/items/{world['item']}/decision",
                      data={"csrf_token": csrf, "outcome": "maybe", "reason": "counterfeit"})
    assert bad.status_code == 422 and "outcome" in bad.text
    done = client.post(f"/console/items/{world['item']}/decision", follow_redirects=False, data={
        "csrf_token": csrf, "outcome": "infringing", "reason": "counterfeit", "note": "fake",
        "reference_photos": [sha.group(1)], "claim_next": "1"})
    assert done.status_code == 303 and done.headers["location"] == f"/console?decided={world['item']}&empty=1"
    assert "Nothing left" in client.get(done.headers["location"]).text
    item = client.get(f"/v1/review/items/{world['item']}", headers=admin).json()
    assert (item["status"], item["outcome"], item["reason"], item["note"]) == ("decided", "infringing",
                                                                                "counterfeit", "fake")
    marks = client.get(f"/v1/brands/{world['brand']}/marks", headers=admin).json()["items"]
    assert [m["kind"] for m in marks].count("product_photo") == 1  # the photo became a reference mark
    again = client.post(f"/console/items/{world['item']}/decision",
                        data={"csrf_token": csrf, "outcome": "infringing", "reason": "counterfeit"})
    assert again.status_code == 409 and "already decided" in again.text


def test_someone_elses_item_is_read_only(client: TestClient, world: dict[str, Any]) -> None:
    other = TestClient(client.app)
    sign_in(other, world["other"])
    other.post("/console/claim", data={"csrf_token": csrf_of(other)})
    sign_in(client, world["moderator"])
    csrf = csrf_of(client)
    page = client.get(f"/console/items/{world['item']}")
    assert "Held by another moderator" in page.text and 'id="decision-form"' not in page.text
    refused = client.post(f"/console/items/{world['item']}/decision",
                          data={"csrf_token": csrf, "outcome": "infringing", "reason": "counterfeit"})
    assert refused.status_code == 409 and "held by another" in refused.text
    assert client.post(f"/console/items/{world['item']}/release", data={"csrf_token": csrf}).status_code == 409


def test_renew_and_release(client: TestClient, admin: Headers, world: dict[str, Any]) -> None:
    sign_in(client, world["moderator"])
    csrf = csrf_of(client)
    client.post("/console/claim", data={"csrf_token": csrf})
    with sessions(client)() as session, session.begin():
        soon = datetime.now(UTC) + timedelta(seconds=30)
        session.execute(update(ReviewItemRow).values(lease_expires_at=soon))
    renewed = client.post(f"/console/items/{world['item']}/lease", data={"csrf_token": csrf},
                          headers={"Accept": "application/json"})
    assert renewed.status_code == 200
    assert datetime.fromisoformat(renewed.json()["lease_expires_at"]) > soon + timedelta(seconds=300)
    released = client.post(f"/console/items/{world['item']}/release", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert released.status_code == 303
    assert client.get(f"/v1/review/items/{world['item']}", headers=admin).json()["status"] == "open"
    lost = client.post(f"/console/items/{world['item']}/lease", data={"csrf_token": csrf},
                       headers={"Accept": "application/json"})
    assert lost.status_code == 409 and "claim it first" in lost.json()["detail"]


def test_photos_marks_and_audit(client: TestClient, admin: Headers, world: dict[str, Any]) -> None:
    item = client.get(f"/v1/review/items/{world['item']}", headers=admin).json()
    sha = item["members"][0]["images"][0]["sha256"]
    assert client.get(f"/console/photos/{sha}", follow_redirects=False).status_code == 303  # not signed in
    api_photo = client.get(f"/v1/review/photos/{sha}", headers=admin)
    assert api_photo.status_code == 200 and api_photo.headers["content-type"] == "image/jpeg"
    assert client.get(f"/v1/review/photos/{sha}").status_code == 401
    assert client.get("/v1/review/photos/not-a-digest", headers=admin).status_code == 422
    assert client.get("/v1/review/photos/" + "0" * 64, headers=admin).status_code == 404
    sign_in(client, world["moderator"])
    shown = client.get(f"/console/photos/{sha}")
    assert shown.status_code == 200 and shown.content == api_photo.content
    assert "sandbox" in shown.headers["content-security-policy"]
    assert client.get("/console/photos/" + "f" * 64).status_code == 404
    assert client.get("/console/photos/../../etc").status_code == 404
    mark = client.get(f"/console/marks/{world['mark']}")
    assert mark.status_code == 200 and mark.headers["content-type"] == "image/png"
    assert client.get("/console/marks/mrk_missing").status_code == 404
    csv_text = client.get("/console/audit.csv").text
    assert csv_text.startswith("id,at,item_id,actor,action,detail") and f",{world['item']},,enqueue," in csv_text


def test_sign_out_expiry_and_revocation_end_sessions(client: TestClient, world: dict[str, Any]) -> None:
    sign_in(client, world["moderator"])
    out = client.post("/console/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303 and 'console_session=""' in out.headers["set-cookie"]
    with sessions(client)() as session:
        assert session.query(ConsoleSessionRow).count() == 0
    for change in ("expire", "revoke"):
        sign_in(client, world["moderator"])
        assert "Claim next item" in client.get("/console").text
        with sessions(client)() as session, session.begin():
            if change == "expire":
                past = datetime.now(UTC) - timedelta(seconds=1)
                session.execute(update(ConsoleSessionRow).values(expires_at=past))
            else:
                session.execute(update(ApiKeyRow).values(revoked_at=datetime.now(UTC)))
        assert 'name="key"' in client.get("/console").text, change  # back to the sign-in form
        assert client.post("/console/claim", data={"csrf_token": "x"}).status_code == 401


def test_an_appeal_shows_the_statement_and_what_each_outcome_does(
    client: TestClient, admin: Headers, make_key: Callable[..., Headers]
) -> None:
    make_brand(client, admin, "Prada", block_threshold=0.5)
    flow = make_key("listing-flow")
    body = {"listing_id": "L-7", "title": "Prada bag", "images": [{"data": base64.b64encode(photo(8, 90)).decode()}]}
    assert client.post("/v1/screen", json=body, headers=flow).json()["decision"] == "block"
    appeal = client.post("/v1/appeals", json={"listing_id": "L-7", "statement": "bought at the boutique"},
                         headers=flow).json()
    sign_in(client, raw_key(client, admin, "moderator"))
    opened = client.post("/console/claim", data={"csrf_token": csrf_of(client)})
    assert str(opened.url).endswith(f"/console/items/{appeal['id']}")
    assert "bought at the boutique" in opened.text and 'id="appeal-hint"' in opened.text
    assert "/console/photos/" in opened.text  # the blocked listing's photo was kept for the appeal
