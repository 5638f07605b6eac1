"""Schema pieces shared by several resources."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="a short summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong with this request and how to fix it")


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
