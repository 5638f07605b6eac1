"""API key schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from screening.types import Role


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    brand_ids: list[str] = Field(default_factory=list, max_length=1000)
    name: str | None = Field(default=None, max_length=200)


class KeyCreated(BaseModel):
    id: str
    key: str = Field(description="the secret; shown once, only its hash is stored")
    role: Role
    brand_ids: list[str]
