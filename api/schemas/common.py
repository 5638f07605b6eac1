"""Schema pieces shared by several resources."""

from __future__ import annotations

from pydantic import BaseModel


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": Problem, "description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        401: "missing or unknown API key",
        403: "the key's role may not do this",
        404: "no such object visible to this key",
        413: "over a size limit",
        422: "invalid input",
    }.items()
}
