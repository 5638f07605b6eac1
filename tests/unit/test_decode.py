"""Safe decoding: sanitised SVG marks stay decodable, detection copes with prologs and prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.errors import ImageRejected
from screening.image.decode import decode_image, sanitize_svg

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LIMITS = {"max_bytes": 10_000_000, "max_pixels": 40_000_000}


def test_sanitised_svg_is_plain_svg_and_decodes_again() -> None:
    raw = (FIXTURES / "adidas.svg").read_bytes()
    clean = sanitize_svg(raw)
    assert clean.startswith(b"<svg") and b"ns0:" not in clean
    first = decode_image(raw, allow_svg=True, **LIMITS)
    again = decode_image(clean, allow_svg=True, **LIMITS)  # what the mark store keeps
    assert again.media_type == "image/svg+xml" and again.rgb.shape == first.rgb.shape


@pytest.mark.parametrize("head", [
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n',
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n',
    b"",
])
def test_svg_detection_after_a_prolog(head: bytes) -> None:
    body = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    assert decode_image(head + body, allow_svg=True, **LIMITS).media_type == "image/svg+xml"


def test_prefixed_svg_root_is_recognised() -> None:
    body = b'<s:svg xmlns:s="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><s:rect width="10" height="10"/></s:svg>'
    assert decode_image(body, allow_svg=True, **LIMITS).media_type == "image/svg+xml"


def test_active_content_is_removed() -> None:
    body = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
            b'<rect width="4" height="4"/></svg>')
    clean = sanitize_svg(body)
    assert b"script" not in clean and b"onload" not in clean


def test_svg_refused_where_not_allowed() -> None:
    body = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>'
    with pytest.raises(ImageRejected):
        decode_image(body, **LIMITS)
