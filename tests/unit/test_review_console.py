"""Units behind the console: evidence layout, photo types, and migrations 0003 and 0004."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from screening.db.engine import make_engine
from screening.db.migrate import alembic_config, upgrade
from screening.db.tables import Base
from screening.review import evidence
from screening.review.workspace import photo_media_type
from tests.helpers import png_bytes

RESULT = {
    "matches": [{"brand": "Gucci", "brand_id": "b1", "evidence": [
        {"signal": "text", "field": "title", "span": [4, 9], "score": 0.9, "detail": "'Guccl' reads as 'Gucci'"},
        {"signal": "text", "field": "title", "span": [6, 9], "score": 0.5, "detail": "inside the first"},
        {"signal": "logo", "image_index": 1, "bbox": [50, 20, 150, 70], "score": 0.81, "mark_id": "m2"},
        {"signal": "logo", "image_index": 0, "bbox": [0, 0, 10, 10], "score": 0.95, "mark_id": "m1"},
        {"signal": "text", "field": "title", "span": [90, 99], "score": 0.2, "detail": "out of range"},
    ]}],
    "flags": [{"code": "counterfeit_phrase", "detail": "'1:1'", "field": "title", "span": [14, 17]}],
}


def test_highlight_splits_text_and_skips_overlaps_and_bad_spans() -> None:
    segments = evidence.highlight("new Guccl bag 1:1", RESULT, "title")
    assert [(s.text, s.marked) for s in segments] == [
        ("new ", False), ("Guccl", True), (" bag ", False), ("1:1", True)]
    assert segments[1].detail == "'Guccl' reads as 'Gucci'" and segments[3].detail == "'1:1'"
    assert evidence.highlight("plain", RESULT, "description") == [evidence.Segment("plain")]


def test_boxes_are_in_percent_of_the_photo() -> None:
    (box,) = evidence.boxes(RESULT, 1, 200, 100)
    assert (box.left, box.top, box.width, box.height) == (25.0, 20.0, 50.0, 50.0)
    assert box.label == "logo Gucci 0.81"
    assert evidence.boxes(RESULT, 2, 200, 100) == [] and evidence.boxes(RESULT, 1, 0, 100) == []
    assert evidence.matched_marks(RESULT) == ["m1", "m2"]


def test_photo_media_type() -> None:
    assert photo_media_type(png_bytes()) == "image/png"
    assert photo_media_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert photo_media_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert photo_media_type(b"<svg") == "application/octet-stream"


def test_migrations_0003_and_0004_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0002")
    engine = make_engine(url)
    assert "console_sessions" not in inspect(engine).get_table_names()
    assert "appeal_material" not in {c["name"] for c in inspect(engine).get_columns("screenings")}
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [d for d in diff if "console_sessions" in repr(d) or "appeal_material" in repr(d)] == []
    engine.dispose()
