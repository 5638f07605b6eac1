"""Review-queue settings, read from `SCREENING_REVIEW_*` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReviewSettings(BaseSettings):
    """Leases, SLAs, priority weights, grouping and double review."""

    model_config = SettingsConfigDict(env_prefix="SCREENING_REVIEW_", env_file=None, extra="ignore")

    lease_seconds: int = Field(default=600, ge=10, le=86_400, description="default claim lease")
    max_lease_seconds: int = Field(default=3600, ge=10, description="longest lease a caller may ask for")
    sla_seconds: int = Field(default=24 * 3600, ge=60, description="time to decision for ordinary items")
    urgent_sla_seconds: int = Field(default=4 * 3600, ge=60, description="time to decision for urgent items")
    urgent_risk: float = Field(default=0.8, ge=0, le=1, description="risk at or above which an item is urgent")
    appeal_sla_seconds: int = Field(default=48 * 3600, ge=60)
    seller_strike_weight: float = Field(default=0.25, ge=0, description="priority boost per past strike")
    max_seller_strikes: int = Field(default=4, ge=0, description="strikes counted at most")
    double_review_share: float = Field(default=0.05, ge=0, le=1, description="share of items reviewed twice")
    image_group_distance: int = Field(default=24, ge=0, le=64, description="PDQ Hamming distance to group")
    group_scan_limit: int = Field(default=5000, ge=0, description="open items scanned for near-duplicates")
    keep_blocked_photos: bool = Field(default=True, description="keep photos of automatic blocks for appeals")
    console_session_seconds: int = Field(default=12 * 3600, ge=60, le=7 * 86_400,
                                         description="how long a console sign-in lasts")


@lru_cache(maxsize=1)
def review_settings() -> ReviewSettings:
    """The process's review settings (tests call `review_settings.cache_clear()`)."""
    return ReviewSettings()
