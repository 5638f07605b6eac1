"""Regenerate docs/console.png: the moderator console with a claimed item.

Starts the real service on a free localhost port (temporary SQLite data directory), makes a
made-up brand with a logo, screens a listing whose photo carries that logo and whose text
carries the brand name and replica wording, fills the queue with a few more listings, signs
in as a moderator in headless Chromium (Debian's /usr/bin/chromium), claims the item with
the keyboard, picks an outcome and a reason, and saves the page.

By default the evidence comes from signals that need no model weights: the service's
rule-based text signal and `tests.e2e.server.TemplateLogoSignal` (template matching), so the
picture does not change while models are being trained. `--models` runs the service's own
signals (text encoder and logo model) instead.

    .venv/bin/python scripts/console_screenshot.py [--out docs/console.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import (  # noqa: E402
    CHROMIUM,
    LiveServer,
    launch_chromium,
    seed_review_item,
    start_server,
)

MORE_LISTINGS = [
    ("L-20433", "Lumora Celeste crossbody — factory direct, AAA quality"),
    ("L-20451", "Celeste by L u m o r a, mini size"),
    ("L-20460", "LUM0RA Celeste wallet, authentic guaranteed"),
    ("L-20502", "Lumora Celeste shoulder bag, original packaging"),
    ("L-20518", "Celeste tote (Lumora), gently used"),
    ("L-20524", "lumora celeste shoulder bag original packaging"),
    ("L-20533", "Ｌｕｍｏｒａ Celeste belt bag"),
]


def fill_queue(live: LiveServer, flow: str, moderator: str) -> None:
    """More listings, two of them decided by another moderator, so the header has numbers."""
    with live.client(flow) as client:
        for n, (listing_id, title) in enumerate(MORE_LISTINGS):
            body = {"listing_id": listing_id, "title": title, "seller_id": f"S-{700 + n}"}
            client.post("/v1/screen", json=body).raise_for_status()
    with live.client(moderator) as client:
        for _ in range(2):
            item = client.post("/v1/review/claim")
            if item.status_code != 200:
                break
            client.post(f"/v1/review/{item.json()['id']}/decision",
                        json={"outcome": "not_infringing", "reason": "generic_use"}).raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console.png")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--models", action="store_true", help="use the service's model-backed signals")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        live = start_server(Path(tmp) / "data", models=args.models)
        try:
            seeded = seed_review_item(live)
            with live.client() as admin:
                other = admin.post("/v1/keys", json={"role": "moderator"}).json()["key"]
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(f"{live.url}/console")
                page.fill("#key", seeded["moderator"])
                page.click("button[type=submit]")
                page.wait_for_selector("#claim-form")
                page.keyboard.press("c")
                page.wait_for_selector("#decision-form")
                fill_queue(live, seeded["flow"], other)
                page.reload()
                page.wait_for_selector(".photo-frame .box")
                page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
                for key in ("i", "1", "/"):
                    page.keyboard.press(key)
                page.keyboard.type("Logo printed on the bag; 1:1 replica wording; ships from a known hub.")
                page.keyboard.press("Escape")
                page.mouse.move(5, args.height - 5)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), full_page=True)
                browser.close()
        finally:
            live.stop()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
