"""The image signals through the API: a drawn mark is registered, pasted into a photo, found
with its box; photos without it are not flagged; product-photo copies are near-duplicates."""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.helpers import b64

Headers = dict[str, str]


def draw_mark(side: int = 200) -> np.ndarray:
    """A made-up brand mark: a ring, a star and a slanted bar on white (rich in corners)."""
    mark = np.full((side, side, 3), 255, np.uint8)
    c = side // 2
    cv2.circle(mark, (c, c), int(side * 0.42), (20, 60, 160), int(side * 0.07))
    star = np.array([[c + int(side * 0.3 * np.cos(a)) , c + int(side * 0.3 * np.sin(a))]
                     for a in np.linspace(-np.pi / 2, 3.5 * np.pi, 5, endpoint=False)], np.int32)
    cv2.fillPoly(mark, [star[[0, 2, 4, 1, 3]]], (200, 40, 30))
    cv2.line(mark, (int(side * 0.2), int(side * 0.78)), (int(side * 0.8), int(side * 0.62)),
             (20, 60, 160), int(side * 0.05))
    cv2.rectangle(mark, (int(side * 0.42), int(side * 0.42)), (int(side * 0.58), int(side * 0.58)),
                  (250, 200, 0), -1)
    for i, (fx, fy) in enumerate(((0.1, 0.12), (0.78, 0.2), (0.14, 0.86), (0.83, 0.9))):  # asymmetric ticks
        x, y, s = int(side * fx), int(side * fy), int(side * (0.03 + 0.015 * i))
        cv2.rectangle(mark, (x - s, y - s), (x + s, y + s // 2), (30, 30, 30), -1)
    return mark


def background(width: int, height: int, seed: int) -> np.ndarray:
    """A photo-like scene: smooth colour field, noise, and a few unrelated shapes."""
    rng = np.random.default_rng(seed)
    field = cv2.resize(rng.integers(60, 220, (4, 5, 3)).astype(np.uint8), (width, height),
                       interpolation=cv2.INTER_CUBIC)
    noisy = np.clip(field.astype(np.int16) + rng.normal(0, 6, field.shape), 0, 255).astype(np.uint8)
    for _ in range(6):
        x, y = int(rng.integers(0, width - 60)), int(rng.integers(0, height - 60))
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.rectangle(noisy, (x, y), (x + int(rng.integers(20, 60)), y + int(rng.integers(20, 60))), colour, -1)
    return noisy


def paste(scene: np.ndarray, mark: np.ndarray, x: int, y: int, side: int, angle: float) -> np.ndarray:
    """The mark scaled to `side`, rotated by `angle` degrees, pasted with its white removed."""
    small = cv2.resize(mark, (side, side), interpolation=cv2.INTER_AREA)
    rot = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    small = cv2.warpAffine(small, rot, (side, side), borderValue=(255, 255, 255))
    out = scene.copy()
    region = out[y : y + side, x : x + side]
    ink = small.min(axis=2) < 235
    region[ink] = small[ink]
    return out


def encode(rgb: np.ndarray, fmt: str = "PNG", quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def iou(a: list[int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


@pytest.fixture
def flow(make_key: Callable[..., Headers]) -> Headers:
    return make_key("listing-flow")


def new_brand(client: TestClient, admin: Headers, name: str) -> str:
    response = client.post("/v1/brands", json={"name": name}, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_mark(client: TestClient, admin: Headers, brand_id: str, data: bytes, kind: str = "logo") -> str:
    response = client.post(f"/v1/brands/{brand_id}/marks", headers=admin, data={"kind": kind},
                           files={"file": ("mark.png", data, "image/png")})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def screen(client: TestClient, flow: Headers, listing_id: str, image: bytes) -> dict[str, object]:
    response = client.post("/v1/screen", headers=flow, json={
        "listing_id": listing_id, "title": "item for sale", "images": [{"data": b64(image)}]})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def logo_evidence(body: dict[str, object], brand_id: str) -> list[dict[str, object]]:
    matches = body["matches"]
    assert isinstance(matches, list)
    return [e for m in matches if m["brand_id"] == brand_id for e in m["evidence"] if e["signal"] == "logo"]


def test_registered_mark_is_found_with_its_box_and_clean_photo_is_not(
    client: TestClient, admin: Headers, flow: Headers
) -> None:
    brand_id = new_brand(client, admin, "Zorblax")
    decoy_id = new_brand(client, admin, "Quendrit")
    mark = draw_mark()
    mark_id = add_mark(client, admin, brand_id, encode(mark))
    decoy = cv2.GaussianBlur(background(160, 160, 99), (0, 0), 3)
    cv2.putText(decoy, "Q", (40, 120), cv2.FONT_HERSHEY_DUPLEX, 3.5, (10, 10, 10), 8)
    add_mark(client, admin, decoy_id, encode(decoy))

    box = (380, 150, 380 + 150, 150 + 150)
    photo = paste(background(800, 600, 1), mark, box[0], box[1], 150, 12)
    body = screen(client, flow, "logo-1", encode(photo, "JPEG", 85))
    found = logo_evidence(body, brand_id)
    assert found, body
    best = max(found, key=lambda e: float(e["score"]))  # type: ignore[arg-type]
    assert best["mark_id"] == mark_id and best["image_index"] == 0
    assert iou(best["bbox"], box) > 0.4, (best["bbox"], box)  # type: ignore[arg-type]
    assert float(best["score"]) >= 0.5  # type: ignore[arg-type]
    assert body["decision"] in ("review", "block")
    assert not logo_evidence(body, decoy_id) or max(
        float(e["score"]) for e in logo_evidence(body, decoy_id)) < 0.5  # type: ignore[arg-type]

    clean = screen(client, flow, "logo-2", encode(background(800, 600, 2), "JPEG", 85))
    assert clean["decision"] == "allow", clean
    assert all(float(m["score"]) < 0.5 for m in clean["matches"])  # type: ignore[union-attr, index]


def test_deleted_mark_is_no_longer_found(client: TestClient, admin: Headers, flow: Headers) -> None:
    brand_id = new_brand(client, admin, "Vextral")
    mark = draw_mark()
    mark_id = add_mark(client, admin, brand_id, encode(mark))
    photo = encode(paste(background(640, 480, 3), mark, 200, 120, 160, -8), "JPEG", 85)
    assert logo_evidence(screen(client, flow, "del-1", photo), brand_id)
    response = client.delete(f"/v1/brands/{brand_id}/marks/{mark_id}", headers=admin)
    assert response.status_code == 204
    assert not logo_evidence(screen(client, flow, "del-2", photo), brand_id)


def test_copy_of_a_product_photo_is_a_near_duplicate(
    client: TestClient, admin: Headers, flow: Headers
) -> None:
    brand_id = new_brand(client, admin, "Ostravel")
    product = background(640, 480, 4)
    cv2.circle(product, (320, 240), 120, (30, 30, 30), -1)
    mark_id = add_mark(client, admin, brand_id, encode(product), kind="product_photo")
    copy = cv2.resize(product, (480, 360), interpolation=cv2.INTER_AREA)
    body = screen(client, flow, "dup-1", encode(copy, "JPEG", 70))
    matches = [m for m in body["matches"] if m["brand_id"] == brand_id]  # type: ignore[union-attr, index]
    evidence = [e for m in matches for e in m["evidence"] if e["signal"] == "near_duplicate"]
    assert evidence and evidence[0]["mark_id"] == mark_id
    assert evidence[0]["bbox"] == [0, 0, 480, 360]
    other = screen(client, flow, "dup-2", encode(background(640, 480, 5), "JPEG", 70))
    assert not [m for m in other["matches"] if m["brand_id"] == brand_id]  # type: ignore[union-attr, index]
