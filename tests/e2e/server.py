"""A real uvicorn server in a thread, a headless Chromium, and demo data, for the console's
browser test and `scripts/console_screenshot.py`.

`TemplateLogoSignal` is a small, honest stand-in for the logo model while its trained
weights are not shipped: it finds a brand's reference logo in a listing photo by
multi-scale normalised cross-correlation (OpenCV `matchTemplate`) and reports the box it
found. It exists so the console can be shown and tested with real image evidence.
"""

from __future__ import annotations

import base64
import io
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import uvicorn
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy.orm import Session

from api.main import create_app
from screening.index.brand_index import BrandIndex
from screening.settings import Settings
from screening.signals.registry import default_signals
from screening.types import BrandProfile, Evidence, MarkKind, ScreeningInput, Signal, SignalOutput

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ADMIN_KEY = "e2e-admin-key-0123456789abcdef"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


class TemplateLogoSignal:
    """Finds reference logos in photos by multi-scale template matching (see module doc)."""

    name = "template"
    version = "template-1"

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self._templates: list[tuple[str, str, np.ndarray]] = []
        self._lock = threading.Lock()

    def open_index(self, index: BrandIndex) -> None:
        """Templates live in memory only; marks added after start-up are the ones searched."""

    def on_mark_added(self, session: Session, index: BrandIndex, brand: BrandProfile, mark_id: str,
                      kind: MarkKind, rgb: np.ndarray) -> None:
        if kind is MarkKind.PRODUCT_PHOTO:
            return
        grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
        with self._lock:
            self._templates.append((brand.id, mark_id, grey))

    def evaluate(self, item: ScreeningInput) -> SignalOutput:
        out = SignalOutput()
        with self._lock:
            templates = list(self._templates)
        for image in item.images:
            grey = cv2.cvtColor(np.ascontiguousarray(image.rgb), cv2.COLOR_RGB2GRAY)
            for brand_id, mark_id, template in templates:
                if item.catalogue.get(brand_id) is None:
                    continue
                found = self._best(grey, template)
                if found is not None:
                    score, box = found
                    out.evidence.append(Evidence(
                        "logo", brand_id, round(score, 4), f"the brand's logo, template match {score:.2f}",
                        image_index=image.index, bbox=box, mark_id=mark_id))
        return out

    def _best(self, grey: np.ndarray, template: np.ndarray) -> tuple[float, tuple[int, int, int, int]] | None:
        height, width = grey.shape
        best: tuple[float, tuple[int, int, int, int]] | None = None
        for share in np.linspace(0.1, 0.6, 51):
            scale = share * width / template.shape[1]
            w, h = int(template.shape[1] * scale), int(template.shape[0] * scale)
            if w < 12 or h < 12 or w > width or h > height:
                continue
            resized = cv2.resize(template, (w, h), interpolation=cv2.INTER_AREA)
            if float(resized.std()) < 1e-3:
                continue
            # Only the mark's ink counts: a logo printed on a coloured product has no white box.
            mask = (resized < 235).astype(np.uint8)
            scores = np.nan_to_num(cv2.matchTemplate(grey, resized, cv2.TM_CCOEFF_NORMED, mask=mask),
                                   nan=0.0, posinf=0.0, neginf=0.0)
            _, peak, _, (x, y) = cv2.minMaxLoc(scores)
            if peak >= self.threshold and (best is None or peak > best[0]):
                best = (float(peak), (int(x), int(y), int(x + w), int(y + h)))
        return best


@dataclass
class LiveServer:
    url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread
    signals: list[Signal] = field(default_factory=list)

    def client(self, key: str | None = ADMIN_KEY) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key} if key else {}, timeout=30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path, models: bool = False, timeout: float = 120.0) -> LiveServer:
    """uvicorn on a free localhost port, over SQLite in `data_dir`; returns once it is ready.

    By default the signals need no model weights (rule-based text, template-matched logos), so
    the test does not depend on models still in training; `models=True` runs the service's own.
    """
    settings = Settings(data_dir=data_dir, bootstrap_admin_key=ADMIN_KEY, load_models=models)  # type: ignore[arg-type]
    signals: list[Signal] = default_signals(settings)
    if not models:
        signals.append(TemplateLogoSignal())
    app = create_app(settings, load_in_background=False, signals=signals)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="console-e2e-server", daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{port}", settings, server, thread, signals)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{live.url}/readyz", timeout=2).status_code == 200:
                return live
        except httpx.HTTPError:
            pass
        if not thread.is_alive():
            break
        time.sleep(0.1)
    live.stop()
    raise RuntimeError(f"the test server on {live.url} did not become ready")


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


# ------------------------------------------------------------------ demo data
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default(size)


def logo_png(size: int = 180) -> bytes:
    """A made-up brand's logo: a ringed monogram."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, size - 6, size - 6), fill=(28, 32, 48))
    draw.ellipse((22, 22, size - 22, size - 22), outline=(212, 175, 55), width=6)
    draw.text((size / 2, size / 2), "LM", font=_font(size // 3), fill=(212, 175, 55), anchor="mm")
    return _png(image)


def _linen(width: int, height: int, seed: int, tone: tuple[int, int, int]) -> np.ndarray:
    """A soft, woven-looking surface (PDQ and template matching need some texture)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    weave = 5 * np.sin(xx / 2.3) * np.sin(yy / 2.9) + 9 * np.sin((xx + 2 * yy) / 41.0)
    light = 18 * (1 - ((xx - width * 0.3) ** 2 + (yy - height * 0.2) ** 2) / (width**2 + height**2))
    grain = rng.normal(0, 3, (height, width))
    surface = np.asarray(tone, dtype=np.float64)[None, None, :] + (weave + light + grain)[..., None]
    return np.clip(surface, 0, 255).astype(np.uint8)


def product_photo(logo: bytes, width: int = 720, height: int = 540, at: tuple[int, int] = (420, 150),
                  logo_width: int = 150, seed: int = 7) -> bytes:
    """A tote bag on a linen table with the logo printed on it (JPEG, like a seller's photo)."""
    image = Image.fromarray(_linen(width, height, seed, (222, 214, 198)))
    draw = ImageDraw.Draw(image)
    draw.ellipse((190, 470, 690, 530), fill=(196, 186, 170))
    draw.arc((300, 20, 560, 230), start=180, end=360, fill=(96, 52, 36), width=18)
    draw.rounded_rectangle((200, 110, 660, 500), radius=28, fill=(150, 84, 58))
    draw.rectangle((200, 110, 660, 142), fill=(126, 68, 47))
    for x in range(214, 650, 14):
        draw.line((x, 150, x + 4, 150), fill=(214, 190, 160), width=2)
    mark = Image.open(io.BytesIO(logo)).convert("RGB")
    mark = mark.resize((logo_width, logo_width * mark.height // mark.width), Image.Resampling.LANCZOS)
    printed = Image.fromarray(((np.asarray(mark).min(axis=-1) < 235) * 255).astype(np.uint8))
    image.paste(mark, at, printed)  # printed on the leather: the logo's white corners are not
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def detail_photo(seed: int = 11, width: int = 480, height: int = 540) -> bytes:
    """A close-up of a leather bag's clasp (no logo on it)."""
    rng = np.random.default_rng(seed)
    tone = (int(rng.integers(110, 160)), int(rng.integers(60, 90)), int(rng.integers(40, 70)))
    image = Image.fromarray(_linen(width, height, seed, tone))
    draw = ImageDraw.Draw(image)
    top = int(rng.integers(140, 220))
    draw.rounded_rectangle((120, top, 360, top + 170), radius=22, fill=(196, 160, 72), outline=(120, 92, 30), width=6)
    draw.rounded_rectangle((190, top + 55, 290, top + 115), radius=12, fill=(150, 118, 48))
    for y in range(20, height, 26):
        draw.line((30, y, 36, y + 10), fill=(230, 214, 180), width=2)
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(0.8)).save(out, "JPEG", quality=85)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seed_review_item(live: LiveServer) -> dict[str, Any]:
    """A brand with a logo, a moderator, and one listing screened into the review queue."""
    with live.client() as admin:
        brand = admin.post("/v1/brands", json={
            "name": "Lumora", "product_lines": ["Celeste"], "price_floor": {"amount": 400, "currency": "USD"},
            "review_threshold": 0.5, "block_threshold": 0.99}).json()
        logo = logo_png()
        mark = admin.post(f"/v1/brands/{brand['id']}/marks", files={"file": ("lumora.png", logo, "image/png")},
                          data={"kind": "logo"})
        assert mark.status_code == 201, mark.text
        moderator = admin.post("/v1/keys", json={"role": "moderator"}).json()["key"]
        flow = admin.post("/v1/keys", json={"role": "listing-flow"}).json()["key"]
        owner = admin.post("/v1/keys", json={"role": "brand-owner", "brand_ids": [brand["id"]]}).json()["key"]
    listing = {
        "listing_id": "L-20417", "seller_id": "S-5521",
        "title": "Vintage-look tote bag with Celeste-style clasp, 1:1 mirror quality",
        "description": "Bought in Paris last spring. Comes with Lumora dust bag and receipt.\nShips from Shenzhen.",
        "images": [{"data": b64(product_photo(logo))}, {"data": b64(detail_photo())}],
    }
    with live.client(flow) as client:
        result = client.post("/v1/screen", json=listing).json()
    assert result["decision"] == "review", result
    return {"brand": brand, "mark_id": mark.json()["id"], "moderator": moderator, "flow": flow, "owner": owner,
            "result": result, "logo": logo, "listing": listing}
