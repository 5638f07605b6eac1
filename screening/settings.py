"""Service settings, read from `SCREENING_*` environment variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings object for the service; nothing secret has a default."""

    model_config = SettingsConfigDict(env_prefix="SCREENING_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="database, mark files, indexes")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset"
    )
    bootstrap_admin_key: SecretStr | None = None

    review_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    block_threshold: float = Field(default=0.85, ge=0.0, le=1.0)
    price_weight: float = Field(default=0.35, ge=0.0, le=1.0)

    max_title_chars: int = 1_000
    max_description_chars: int = 20_000
    max_images: int = 16
    max_image_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_mark_bytes: int = 10 * 1024 * 1024
    max_batch: int = 256
    max_request_bytes: int = 240 * 1024 * 1024  # 16 images of 10 MB, base64-encoded, and text

    review_lease_seconds: int = Field(default=600, ge=10)
    load_models: bool = Field(default=True, description="load the text and image models")

    @field_validator("bootstrap_admin_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("SCREENING_BOOTSTRAP_ADMIN_KEY must be at least 16 characters")
        return value

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> Settings:
        if self.block_threshold < self.review_threshold:
            raise ValueError("block_threshold must be at least review_threshold")
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'screening.db').resolve()}"

    @property
    def marks_dir(self) -> Path:
        return self.data_dir / "marks"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"
