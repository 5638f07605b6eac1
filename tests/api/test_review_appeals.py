"""Appeals, escalations and double review through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_review_api import decide, make_brand, screen

Headers = dict[str, str]


@pytest.fixture
def roles(client: TestClient, admin: Headers, make_key: Callable[..., Headers]) -> dict[str, Any]:
    return {"brand": make_brand(client, admin), "flow": make_key("listing-flow"),
            "mod1": make_key("moderator"), "mod2": make_key("moderator"), "mod3": make_key("moderator")}




def claim(client: TestClient, headers: Headers) -> Any:
    return client.post("/v1/review/claim", headers=headers)


def test_appeal_goes_to_another_moderator_and_overturns(
    client: TestClient, roles: dict[str, Any], single_review: None
) -> None:
    screen(client, roles["flow"], "L-1", "Gucci bag", seller="S-1")
    item = claim(client, roles["mod1"]).json()
    assert decide(client, roles["mod1"], item["id"]).status_code == 200
    assert screen(client, roles["flow"], "L-1", "Gucci bag", seller="S-1")["decision"] == "block"
    filed = client.post("/v1/appeals", json={"listing_id": "L-1", "seller_id": "S-1", "statement": "I own it"},
                        headers=roles["flow"])
    assert filed.status_code == 201, filed.text
    appeal = filed.json()
    assert appeal["status"] == "pending"
    again = client.post("/v1/appeals", json={"listing_id": "L-1", "statement": "again"}, headers=roles["flow"])
    assert again.status_code == 409
    assert claim(client, roles["mod1"]).status_code == 204  # the moderator who blocked may not decide it
    held = claim(client, roles["mod2"]).json()
    assert held["id"] == appeal["id"] and held["kind"] == "appeal" and held["context"]["statement"] == "I own it"
    assert decide(client, roles["mod2"], held["id"], "not_infringing", "generic_use").status_code == 200
    state = client.get(f"/v1/appeals/{appeal['id']}", headers=roles["flow"]).json()
    assert state["status"] == "overturned" and state["decided_by"]
    assert screen(client, roles["flow"], "L-1", "Gucci bag", seller="S-1")["decision"] == "allow"
    stats = client.get("/v1/review/stats", headers=roles["mod1"]).json()
    assert stats["appeals_decided"] == 1 and stats["overturn_rate"] == 1.0


def test_appeal_needs_a_blocked_listing(client: TestClient, roles: dict[str, Any], single_review: None) -> None:
    screen(client, roles["flow"], "L-1", "Gucci bag")
    response = client.post("/v1/appeals", json={"listing_id": "L-1", "statement": "x"}, headers=roles["flow"])
    assert response.status_code == 409 and "not blocked" in response.json()["detail"]
    missing = client.post("/v1/appeals", json={"listing_id": "nope", "statement": "x"}, headers=roles["flow"])
    assert missing.status_code == 404
    assert client.post("/v1/appeals", json={"listing_id": "L-1", "statement": "x"},
                       headers=roles["mod1"]).status_code == 403


def test_escalation_goes_to_another_moderator(client: TestClient, roles: dict[str, Any], single_review: None) -> None:
    screen(client, roles["flow"], "L-1", "Gucci bag")
    item = claim(client, roles["mod1"]).json()
    escalated = decide(client, roles["mod1"], item["id"], "escalate", "other")
    assert escalated.json()["outcome"] == "escalate"
    assert claim(client, roles["mod1"]).status_code == 204
    follow_up = claim(client, roles["mod2"]).json()
    assert follow_up["kind"] == "escalation" and follow_up["origin_item_id"] == item["id"]
    assert follow_up["priority"] > item["priority"]
    assert decide(client, roles["mod2"], follow_up["id"]).status_code == 200
    assert screen(client, roles["flow"], "L-1", "Gucci bag")["decision"] == "block"


def test_double_review_measures_agreement(client: TestClient, roles: dict[str, Any], double_review: None) -> None:
    screen(client, roles["flow"], "L-1", "Gucci bag")
    screen(client, roles["flow"], "L-2", "Gucci belt")
    first = claim(client, roles["mod1"]).json()
    assert first["required_reviews"] == 2
    after_one = decide(client, roles["mod1"], first["id"])
    assert after_one.status_code == 200 and after_one.json()["status"] == "open"
    second = claim(client, roles["mod1"]).json()
    assert second["id"] != first["id"]  # never the item it already reviewed
    assert decide(client, roles["mod1"], second["id"]).status_code == 200
    assert claim(client, roles["mod1"]).status_code == 204
    agree = claim(client, roles["mod2"]).json()
    assert decide(client, roles["mod2"], agree["id"]).json()["status"] == "decided"
    disagree = claim(client, roles["mod2"]).json()
    closed = decide(client, roles["mod2"], disagree["id"], "not_infringing", "generic_use").json()
    assert closed["outcome"] == "escalate" and "disagreed" in closed["note"]
    stats = client.get("/v1/review/stats", headers=roles["mod1"]).json()
    assert stats["double_reviewed"] == 2 and stats["double_review_agreements"] == 1
    assert stats["agreement_rate"] == 0.5 and stats["decisions_last_hour"] == 4
    assert stats["depth_by_kind"] == {"escalation": 1}


def test_appeal_of_an_automatic_block_shows_its_photos_and_description(
    client: TestClient, admin: Headers, roles: dict[str, Any], single_review: None
) -> None:
    import base64

    from tests.api.test_review_api import photo

    make_brand(client, admin, "Prada", block_threshold=0.5)
    body = {"listing_id": "L-9", "seller_id": "S-9", "title": "Prada bag", "description": "Prada, with box",
            "images": [{"data": base64.b64encode(photo(5, 80)).decode()}]}
    result = client.post("/v1/screen", json=body, headers=roles["flow"]).json()
    assert result["decision"] == "block" and result["review_item_id"] is None
    filed = client.post("/v1/appeals", json={"listing_id": "L-9", "statement": "genuine, receipt attached"},
                        headers=roles["flow"])
    assert filed.status_code == 201, filed.text
    held = claim(client, roles["mod1"]).json()
    assert held["id"] == filed.json()["id"] and held["kind"] == "appeal"
    (member,) = held["members"]
    assert member["title"] == "Prada bag" and len(member["images"]) == 1
    kept = client.get(f"/v1/review/photos/{member['images'][0]['sha256']}", headers=roles["mod1"])
    assert kept.status_code == 200 and kept.content == photo(5, 80)
    from screening.db.tables import ReviewMemberRow

    with client.app.state.service.sessions() as session:  # type: ignore[attr-defined]
        row = session.query(ReviewMemberRow).filter_by(item_id=held["id"]).one()
        assert row.description == "Prada, with box"
