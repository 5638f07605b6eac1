"""Migration 0002 upgrades, downgrades and matches the tables (SQLite; PostgreSQL via the API tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from screening.db.engine import make_engine
from screening.db.migrate import alembic_config, upgrade
from screening.db.tables import Base


def test_upgrade_downgrade_and_no_drift(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0001")
    engine = make_engine(url)
    assert "review_members" not in inspect(engine).get_table_names()
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        review_diff = [d for d in diff if "review" in repr(d)]
        assert review_diff == []
    engine.dispose()
