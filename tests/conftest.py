"""Shared fixtures: a fresh store per test (SQLite by default, PostgreSQL when asked)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from screening.db.engine import make_engine
from screening.review.settings import review_settings
from screening.settings import Settings
from screening.signals.registry import default_signals
from screening.types import Signal

ADMIN_KEY = "test-admin-key-0123456789"
PG_URL = os.environ.get("SCREENING_TEST_DATABASE_URL")


def _reset_postgres(url: str) -> None:
    engine = make_engine(Settings(database_url=url).resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def signals() -> list[Signal]:
    """The real models, loaded once for the whole test session."""
    return default_signals(Settings())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    if PG_URL:
        _reset_postgres(PG_URL)
    return Settings(
        data_dir=tmp_path / "data",
        database_url=PG_URL,
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(settings: Settings, signals: list[Signal]) -> Iterator[TestClient]:
    app = create_app(settings, load_in_background=False, signals=signals)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def admin() -> dict[str, str]:
    return {"X-API-Key": ADMIN_KEY}


@pytest.fixture
def make_key(client: TestClient, admin: dict[str, str]) -> Callable[..., dict[str, str]]:
    """Create a key through the API and return its header."""

    def make(role: str, brand_ids: list[str] | None = None) -> dict[str, str]:
        response = client.post("/v1/keys", json={"role": role, "brand_ids": brand_ids or []},
                               headers=admin)
        assert response.status_code == 201, response.text
        return {"X-API-Key": response.json()["key"]}

    return make


def _review_share(monkeypatch: pytest.MonkeyPatch, share: str) -> Iterator[None]:
    monkeypatch.setenv("SCREENING_REVIEW_DOUBLE_REVIEW_SHARE", share)
    review_settings.cache_clear()
    yield
    review_settings.cache_clear()


@pytest.fixture
def single_review(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No item is drawn for double review: one decision closes it."""
    yield from _review_share(monkeypatch, "0")


@pytest.fixture
def double_review(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every item is reviewed twice, by two different moderators."""
    yield from _review_share(monkeypatch, "1")
