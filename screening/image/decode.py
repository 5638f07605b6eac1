"""Safe decoding of untrusted images: size and pixel limits, bomb detection, SVG sanitising."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
from defusedxml import ElementTree as SafeET
from PIL import Image, ImageOps, UnidentifiedImageError

from screening.errors import ImageRejected

RASTER_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SVG_MEDIA_TYPE = "image/svg+xml"
SVG_RENDER_SIZE = 512
_SVG_FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "image", "use"}
_SVG_NAMESPACES = {"": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink"}
_SVG_ROOT = re.compile(
    rb"^(?:<\?xml[^>]*>\s*)?"  # an XML declaration,
    rb"(?:<!--.*?-->\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*"  # comments and a DOCTYPE,
    rb"<(?:[\w.-]+:)?svg[\s>/]",  # then the root element, with or without a prefix
    re.DOTALL | re.IGNORECASE,
)


@dataclass(frozen=True)
class DecodedFile:
    rgb: np.ndarray
    media_type: str
    sha256: str
    width: int
    height: int


def decode_image(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    allow_svg: bool = False,
) -> DecodedFile:
    """Decode PNG/JPEG/WebP (or sanitised SVG) bytes to RGB, refusing anything unsafe.

    Raises `ImageRejected` with a reason a person can act on.
    """
    if not data:
        raise ImageRejected("the image is empty")
    if len(data) > max_bytes:
        raise ImageRejected(f"the image is {len(data):,} bytes; the limit is {max_bytes:,}")
    digest = hashlib.sha256(data).hexdigest()
    if allow_svg and _looks_like_svg(data):
        rgb = _render_svg(data)
        return DecodedFile(rgb, SVG_MEDIA_TYPE, digest, rgb.shape[1], rgb.shape[0])
    rgb, media_type = _decode_raster(data, max_pixels)
    return DecodedFile(rgb, media_type, digest, rgb.shape[1], rgb.shape[0])


def _decode_raster(data: bytes, max_pixels: int) -> tuple[np.ndarray, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in RASTER_FORMATS:
                    raise ImageRejected(
                        f"unsupported image format {fmt or 'unknown'}; send PNG, JPEG or WebP"
                    )
                if width * height > max_pixels:
                    raise ImageRejected(
                        f"the image is {width}x{height} = {width * height:,} pixels; "
                        f"the limit is {max_pixels:,}"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                rgb = _flatten_to_rgb(ImageOps.exif_transpose(image))
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"the image looks like a decompression bomb: {exc}") from exc
    except UnidentifiedImageError:
        raise ImageRejected("the bytes are not a PNG, JPEG or WebP image") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageRejected(f"the image cannot be decoded: {exc}") from exc
    return rgb, RASTER_FORMATS[fmt]


def _flatten_to_rgb(image: Image.Image) -> np.ndarray:
    """Composite transparency on white, so marks with alpha look as they would on a page."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return np.asarray(canvas.convert("RGB"), dtype=np.uint8).copy()
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def _looks_like_svg(data: bytes) -> bool:
    """An SVG root element (with or without a namespace prefix) after an optional prolog."""
    return _SVG_ROOT.match(data[:4096].lstrip()) is not None


def sanitize_svg(data: bytes) -> bytes:
    """Parse without entity expansion or external references and drop active content."""
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises several unrelated exception types
        raise ImageRejected(f"the SVG cannot be parsed safely: {exc}") from exc
    if not root.tag.lower().endswith("svg"):
        raise ImageRejected("the file is XML but not an SVG document")
    for parent in list(root.iter()):
        for child in list(parent):
            local = child.tag.rsplit("}", 1)[-1]
            if local in _SVG_FORBIDDEN_TAGS:
                parent.remove(child)
        for attr in list(parent.attrib):
            lowered = attr.lower()
            if lowered.startswith("on") or lowered.endswith("href"):
                del parent.attrib[attr]
    from xml.etree import ElementTree as StdET

    for prefix, uri in _SVG_NAMESPACES.items():  # serialise as <svg xmlns=...>, not <ns0:svg>
        StdET.register_namespace(prefix, uri)
    return StdET.tostring(root)


def _render_svg(data: bytes) -> np.ndarray:
    import resvg_py

    clean = sanitize_svg(data).decode("utf-8")
    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=clean, width=SVG_RENDER_SIZE))
    except Exception as exc:  # resvg reports failures as generic exceptions
        raise ImageRejected(f"the SVG cannot be rendered: {exc}") from exc
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return _flatten_to_rgb(image)
