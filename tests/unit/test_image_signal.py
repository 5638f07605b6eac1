"""ImageSignal indexing: keypoints follow the database (rollback, restart from mark files)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from screening.db.tables import Base, BrandRow, IndexVectorRow, MarkRow
from screening.image.signal import CONTEXT_CELLS, ImageSignal
from screening.index.brand_index import BrandIndex
from screening.storage import MarkStore
from screening.types import BrandProfile, MarkKind, Signal
from tests.api.test_logo_signal import background, draw_mark, paste


@pytest.fixture(scope="module")
def shared(signals: list[Signal]) -> ImageSignal:
    return next(s for s in signals if isinstance(s, ImageSignal))


def _stored_mark(tmp_path: Path) -> tuple[sessionmaker[Session], np.ndarray, str]:
    """A fresh SQLite database and a mark file in the store: (sessions, mark pixels, sha)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    Base.metadata.create_all(engine)
    mark = draw_mark(200)
    buffer = io.BytesIO()
    Image.fromarray(mark).save(buffer, "PNG")
    sha = MarkStore(tmp_path / "marks").put(buffer.getvalue())
    return sessionmaker(engine, expire_on_commit=False), mark, sha


def _opened(shared: ImageSignal, sessions: sessionmaker[Session],
            tmp_path: Path) -> tuple[ImageSignal, BrandIndex]:
    """A new signal and index over the same database and mark store, as after a restart."""
    signal = ImageSignal(shared.embedder, shared.detector.calibration, use_ocr=False,
                         marks_dir=tmp_path / "marks")
    index = BrandIndex(sessions, tmp_path / "index")
    signal.open_index(index)
    return signal, index


def test_keypoints_survive_a_restart_and_ignore_rolled_back_marks(shared: ImageSignal, tmp_path: Path) -> None:
    sessions, mark, sha = _stored_mark(tmp_path)
    brand = BrandProfile("brd-1", "Zorblax")

    def fresh() -> tuple[ImageSignal, BrandIndex]:
        return _opened(shared, sessions, tmp_path)

    signal, index = fresh()
    with sessions() as session:
        session.add(BrandRow(id="brd-1", name="Zorblax"))
        session.add(MarkRow(id="mrk-1", brand_id="brd-1", kind="logo", sha256=sha, media_type="image/png",
                            size_bytes=1, width=200, height=200))
        session.flush()
        signal.on_mark_added(session, index, brand, "mrk-1", MarkKind.LOGO, mark)
        session.commit()
    with sessions() as session:  # a mark whose transaction rolls back leaves no keypoints behind
        signal.on_mark_added(session, index, brand, "mrk-gone", MarkKind.LOGO, np.ascontiguousarray(mark[:, ::-1]))
        session.rollback()
    photo = paste(background(640, 480, 21), mark, 240, 140, 150, 6)
    before = signal.detect(photo)
    assert before and before[0].brand_id == "brd-1" and before[0].mark_id == "mrk-1"
    assert before[0].features.inliers >= 10

    restarted, _ = fresh()
    after = restarted.detect(photo)
    assert after and after[0].mark_id == "mrk-1"
    assert after[0].features.inliers >= 10
    assert abs(after[0].score - before[0].score) < 0.05


def test_vectors_of_another_embedder_version_are_reembedded_on_open(
        shared: ImageSignal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade that ships a new embedder re-embeds every stored mark, reading each file
    once; a mark whose file is gone loses its stale vectors instead of matching in the wrong
    embedding space."""
    sessions, mark, sha = _stored_mark(tmp_path)

    def fresh() -> tuple[ImageSignal, BrandIndex]:
        return _opened(shared, sessions, tmp_path)

    _, index = fresh()
    rng = np.random.default_rng(4)
    with sessions() as session:
        session.add(BrandRow(id="brd-1", name="Zorblax"))
        for mark_id, digest in (("mrk-1", sha), ("mrk-lost", "0" * 64)):
            session.add(MarkRow(id=mark_id, brand_id="brd-1", kind="logo", sha256=digest,
                                media_type="image/png", size_bytes=1, width=200, height=200))
        session.flush()
        for mark_id in ("mrk-1", "mrk-lost"):  # written by an 'older embedder': random vectors
            index.add(session, "logo", "brd-1", rng.normal(size=(3, shared.embedder.dim)),
                      ["old a", "old b", "old c"], "logo-old-version", mark_id=mark_id)
        session.commit()

    reads: list[str] = []
    read_mark = ImageSignal._read_mark

    def counted(self: ImageSignal, digest: str) -> np.ndarray | None:
        reads.append(digest)
        return read_mark(self, digest)

    monkeypatch.setattr(ImageSignal, "_read_mark", counted)
    restarted, index = fresh()
    assert sorted(reads) == sorted([sha, "0" * 64])
    with sessions() as session:
        rows = session.query(IndexVectorRow).filter_by(space="logo").all()
        mids = session.query(IndexVectorRow).filter_by(space="logo_mid").all()
        in_context = session.query(IndexVectorRow).filter_by(space="logo_context").all()
    assert rows and {r.model_version for r in rows} == {shared.version}
    assert shared.version.startswith(shared.embedder.version + "+")
    assert {r.mark_id for r in rows} == {"mrk-1"} == {r.mark_id for r in mids}
    assert index.spaces()["logo"] == len(rows) == len(mids) == index.spaces()["logo_mid"]
    assert {r.mark_id for r in in_context} == {"mrk-1"} and {r.model_version for r in in_context} == {shared.version}
    assert len(in_context) == len(CONTEXT_CELLS) == index.spaces()["logo_context"]
    found = restarted.detect(paste(background(640, 480, 22), mark, 200, 120, 160, -5))
    assert found and found[0].mark_id == "mrk-1" and found[0].features.inliers >= 10
