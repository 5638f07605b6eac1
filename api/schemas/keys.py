"""API key schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from screening.types import Role


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="listing-flow, moderator, brand-owner or admin")
    brand_ids: list[str] = Field(
        default_factory=list, max_length=1000, description="the brands a brand-owner key may manage"
    )
    name: str | None = Field(default=None, max_length=200, description="a label for the key")


class KeyCreated(BaseModel):
    id: str = Field(description="the key's id (not secret)")
    key: str = Field(description="the secret; shown once, only its hash is stored")
    role: Role = Field(description="the key's role")
    brand_ids: list[str] = Field(description="the brands a brand-owner key may manage")
