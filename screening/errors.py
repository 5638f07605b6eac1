"""The service's exception hierarchy; the API turns each into an RFC 9457 problem+json."""

from __future__ import annotations


class ScreeningError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    type_slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(ScreeningError):
    status = 422
    type_slug = "invalid-input"
    title = "Invalid input"


class ImageRejected(InvalidInput):
    """An image that cannot be decoded safely (broken, a bomb, over the limits)."""

    type_slug = "image-rejected"
    title = "Image rejected"

    def __init__(self, detail: str, image_index: int | None = None) -> None:
        if image_index is not None:
            detail = f"images[{image_index}]: {detail}"
        super().__init__(detail)
        self.image_index = image_index

    def at(self, image_index: int) -> ImageRejected:
        """The same rejection, naming the image's position in the listing."""
        return ImageRejected(self.detail, image_index)


class PayloadTooLarge(ScreeningError):
    status = 413
    type_slug = "payload-too-large"
    title = "Payload too large"


class NotAuthenticated(ScreeningError):
    status = 401
    type_slug = "not-authenticated"
    title = "Not authenticated"


class Forbidden(ScreeningError):
    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class NotFound(ScreeningError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(ScreeningError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class NotReady(ScreeningError):
    status = 503
    type_slug = "not-ready"
    title = "Service not ready"
