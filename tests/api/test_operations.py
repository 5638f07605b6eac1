"""Readiness, metrics and the CLI."""

from __future__ import annotations

import json
import threading
import time

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from screening.cli import app as cli
from screening.index.brand_index import BrandIndex
from screening.settings import Settings
from screening.text.signal import TextSignal
from screening.types import ScreeningInput, SignalOutput


class SlowSignal:
    """A signal whose index takes until `release` is set to open."""

    name = "slow"
    version = "1"

    def __init__(self) -> None:
        self.release = threading.Event()

    def open_index(self, index: BrandIndex) -> None:
        assert self.release.wait(30)

    def on_brand_changed(self, *args: object) -> None:
        return None

    def evaluate(self, item: ScreeningInput) -> SignalOutput:
        return SignalOutput()


def test_readyz_is_503_until_models_and_indexes_load(settings: Settings) -> None:
    slow = SlowSignal()
    app = create_app(settings, load_in_background=True, signals=[TextSignal(None), slow])
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        loading = client.get("/readyz")
        assert loading.status_code == 503 and loading.json()["models"] is False
        screen = client.post("/v1/screen", json={"listing_id": "x", "title": "t"},
                             headers={"X-API-Key": settings.bootstrap_admin_key.get_secret_value()})  # type: ignore[union-attr]
        assert screen.status_code == 503
        slow.release.set()
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and "slow:1" in ready["model_version"]


def test_metrics_count_decisions(client: TestClient, admin: dict[str, str]) -> None:
    client.post("/v1/brands", json={"name": "Acme"}, headers=admin)
    client.post("/v1/screen", json={"listing_id": "m-1", "title": "Acme shoes"}, headers=admin)
    text = client.get("/metrics").text
    assert 'screening_results_total{decision="block"}' in text
    assert "http_request_duration_seconds" in text
    assert "screening_ready 1.0" in text  # gauges are fresh on the first scrape


def test_cli_keys_create_and_index_rebuild(settings: Settings, monkeypatch: object) -> None:
    env = {"SCREENING_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["SCREENING_DATABASE_URL"] = settings.database_url
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--role", "moderator"], env=env)
    assert created.exit_code == 0, created.output
    payload = json.loads(created.stdout.strip().splitlines()[-1])
    assert payload["role"] == "moderator" and payload["key"].startswith("sk_") and payload["brand_ids"] == []
    refused = runner.invoke(cli, ["keys", "create", "--role", "brand-owner"], env=env)
    assert refused.exit_code == 2
    rebuilt = runner.invoke(cli, ["index", "rebuild"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output


def test_cli_migrate_and_demo_on_a_new_data_dir(settings: Settings) -> None:
    """The quick start's first steps work where the data directory does not exist yet."""
    env = {"SCREENING_DATA_DIR": str(settings.data_dir / "new" / "dir")}
    if settings.database_url:
        env["SCREENING_DATABASE_URL"] = settings.database_url
    runner = CliRunner()
    migrated = runner.invoke(cli, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    loaded = runner.invoke(cli, ["demo"], env=env)
    assert loaded.exit_code == 0, loaded.output
    again = runner.invoke(cli, ["demo"], env=env)
    assert again.exit_code == 0, again.output
