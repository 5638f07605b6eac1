"""The moderator console end to end: a real server, a real headless Chromium, the keyboard."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.server import CHROMIUM, LiveServer, launch_chromium, seed_review_item, start_server

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
    # one decision closes an item (a 5% draw for double review would leave it open)
    pytest.mark.usefixtures("single_review"),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("console-e2e") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_moderator_claims_and_decides_with_the_keyboard(live: LiveServer, browser: Any) -> None:
    started = time.monotonic()
    seeded = seed_review_item(live)
    item_id = seeded["result"]["review_item_id"]
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live.url}/console")
    page.fill("#key", seeded["moderator"])
    page.click("button[type=submit]")
    page.wait_for_selector("#claim-form")
    assert seeded["moderator"] not in page.url
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["console_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["value"] != seeded["moderator"]

    page.keyboard.press("c")  # claim the next item
    page.wait_for_url(f"**/console/items/{item_id}")
    assert page.inner_text("#item-state").lower() == "claimed"
    # The evidence is drawn: the description's brand name and the counterfeit phrases are
    # highlighted, the logo box sits on the first photo, the matched mark is shown beside it.
    marks = page.locator(".listing mark").all_inner_texts()
    listing, result = seeded["listing"], seeded["result"]
    spans = [e for m in result["matches"] for e in m["evidence"]] + result["flags"]
    expected = {listing[e["field"]][e["span"][0]:e["span"][1]] for e in spans if e.get("span")}
    assert "Lumora" in expected and all(text in "".join(marks) for text in expected), (expected, marks)
    box = page.locator(".photo-frame .box").first
    assert box.is_visible()
    photo = page.locator(".photo-frame img").first
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 720
    frame, drawn = page.locator(".photo-frame").first.bounding_box(), box.bounding_box()
    bbox = seeded["result"]["matches"][0]["evidence"][0]["bbox"]
    assert abs((drawn["x"] - frame["x"]) / frame["width"] - bbox[0] / 720) < 0.02
    assert page.locator(".mark-matched img").evaluate("img => img.complete && img.naturalWidth") > 0
    assert "in " in page.inner_text("#lease")  # the lease timer runs
    with page.expect_response("**/lease") as renewed:
        page.keyboard.press("r")  # renew the lease in the background
    assert renewed.value.status == 200 and renewed.value.json()["lease_expires_at"]

    page.keyboard.press("Enter")  # no outcome yet: the browser keeps the form
    assert "/console/items/" in page.url
    page.keyboard.press("i")
    page.keyboard.press("1")
    page.keyboard.press("/")
    page.keyboard.type("logo printed on the bag; replica wording")
    page.keyboard.press("Escape")
    assert page.is_checked("input[name=outcome][value=infringing]")
    assert page.is_checked("input[name=reason][value=counterfeit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#queue-empty")
    assert item_id in page.inner_text("#last-decision")
    assert not errors, errors

    with live.client(seeded["moderator"]) as api:
        decided = api.get("/v1/review/items", params={"status": "decided"}).json()["items"]
        audit = api.get("/v1/review/audit.csv").text
    assert [(i["id"], i["outcome"], i["reason"], i["note"]) for i in decided] == [
        (item_id, "infringing", "counterfeit", "logo printed on the bag; replica wording")]
    assert f"{item_id}," in audit and ",renew," in audit and ",decide," in audit
    with live.client(seeded["flow"]) as flow:  # the moderator's decision now answers for the listing
        again = flow.post("/v1/screen", json=seeded["listing"]).json()
    assert again["decision"] == "block"
    assert time.monotonic() - started < 20


def test_brand_owner_and_listing_flow_keys_cannot_sign_in(live: LiveServer, browser: Any) -> None:
    with live.client() as admin:
        brand = admin.post("/v1/brands", json={"name": "Orvell"}).json()
        keys = [admin.post("/v1/keys", json={"role": "brand-owner", "brand_ids": [brand["id"]]}).json()["key"],
                admin.post("/v1/keys", json={"role": "listing-flow"}).json()["key"]]
    page = browser.new_page()
    for key in keys:
        page.goto(f"{live.url}/console")
        page.fill("#key", key)
        page.click("button[type=submit]")
        assert "Only moderator keys" in page.inner_text(".alert")
        assert "console_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{live.url}/console/items/rvw_x")
    assert page.locator("#key").is_visible()  # pages redirect to the sign-in form
