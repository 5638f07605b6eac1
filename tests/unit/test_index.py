"""The FAISS brand index: stable ids, incremental updates, atomic saves, rebuild when stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from screening.db.engine import make_engine, make_sessionmaker
from screening.db.migrate import upgrade
from screening.db.tables import BrandRow
from screening.index.brand_index import BrandIndex
from screening.index.vector_index import VectorIndex
from tests.unit.brand_rows import group_hits

DIM = 8


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_vector_index_add_remove_search_and_roundtrip(tmp_path: Path) -> None:
    index = VectorIndex(DIM)
    index.add(np.array([10, 20, 30]), np.stack([unit(1), unit(2), unit(3)]))
    scores, ids = index.search(unit(2)[None], 2)
    assert ids[0, 0] == 20 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    index.add(np.array([20]), unit(4)[None])  # same id replaces, never duplicates
    assert len(index) == 3
    assert index.search(unit(4)[None], 1)[1][0, 0] == 20
    assert index.remove(np.array([10])) == 1
    assert index.search(unit(1)[None], 5)[1][0].tolist()[2:] == [-1, -1, -1]
    path = tmp_path / "space.faiss"
    index.save(path)
    assert not list(tmp_path.glob("*.tmp"))
    loaded = VectorIndex.load(path)
    assert loaded.fingerprint == index.fingerprint
    assert loaded.search(unit(3)[None], 1)[1][0, 0] == 30


def test_load_refuses_a_file_that_disagrees_with_its_manifest(tmp_path: Path) -> None:
    index = VectorIndex(DIM)
    index.add(np.array([1]), unit(1)[None])
    path = tmp_path / "space.faiss"
    index.save(path)
    other = VectorIndex(DIM)
    other.add(np.array([1, 2]), np.stack([unit(1), unit(2)]))
    path.write_bytes(__import__("faiss").serialize_index(other._index).tobytes())
    with pytest.raises(ValueError, match="manifest"):
        VectorIndex.load(path)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        session.add_all([BrandRow(id="brd_a", name="A", aliases=[], product_lines=[], authorized_sellers=[]),
                         BrandRow(id="brd_b", name="B", aliases=[], product_lines=[], authorized_sellers=[])])
    yield factory
    engine.dispose()


def test_brand_index_follows_commits_not_rollbacks(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    index = BrandIndex(sessions, tmp_path / "index")
    index.open_space("text", DIM)
    with sessions() as session, session.begin():
        index.add(session, "text", "brd_a", np.stack([unit(1), unit(2)]), ["a1", "a2"], "v1")
    hits = index.search("text", unit(2)[None], 1)[0]
    assert hits[0].brand_id == "brd_a" and hits[0].label == "a2"

    with sessions() as session:
        session.begin()
        index.add(session, "text", "brd_b", unit(3)[None], ["b1"], "v1")
        session.rollback()
    assert index.spaces() == {"text": 2}
    assert all(h.brand_id == "brd_a" for h in index.search("text", unit(3)[None], 5)[0])

    with sessions() as session, session.begin():
        removed = index.remove_where(session, brand_id="brd_a", space="text")
    assert removed == 2 and index.spaces() == {"text": 0}


def test_brand_index_rebuilds_from_database_when_file_is_stale_or_missing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    directory = tmp_path / "index"
    first = BrandIndex(sessions, directory)
    first.open_space("logo", DIM)
    with sessions() as session, session.begin():
        first.add(session, "logo", "brd_a", unit(1)[None], ["a"], "v1")
    # A second process adds a vector: this instance's file is now stale.
    with sessions() as session, session.begin():
        other = BrandIndex(sessions, tmp_path / "elsewhere")
        other.open_space("logo", DIM)
        other.add(session, "logo", "brd_b", unit(2)[None], ["b"], "v1")
    reopened = BrandIndex(sessions, directory)
    reopened.open_space("logo", DIM)
    assert reopened.spaces() == {"logo": 2}
    assert reopened.search("logo", unit(2)[None], 1)[0][0].brand_id == "brd_b"

    (directory / "logo.faiss").unlink()
    again = BrandIndex(sessions, directory)
    again.open_space("logo", DIM)
    assert again.spaces() == {"logo": 2} and (directory / "logo.faiss").exists()


def test_best_of_brand_finds_the_brands_closest_vector_whatever_its_global_rank(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    index = BrandIndex(sessions, tmp_path / "index")
    index.open_space("logo", DIM)
    query = unit(1)
    near_b = query + 0.05 * unit(9)
    with sessions() as session, session.begin():
        index.add(session, "logo", "brd_a", np.stack([unit(2), unit(3)]), ["a2", "a3"], "v1")
        index.add(session, "logo", "brd_b", np.stack([near_b, unit(4)]), ["b-near", "b4"], "v1")
    best = index.best_of_brand("logo", query, "brd_a")
    assert best is not None and best.brand_id == "brd_a"
    assert best.score == pytest.approx(max(float(unit(2) @ query), float(unit(3) @ query)), abs=1e-5)
    assert index.best_of_brand("logo", query, "brd_b").label == "b-near"  # type: ignore[union-attr]
    assert index.best_of_brand("logo", query, "brd_unknown") is None


def test_search_by_brand_groups_hits_as_the_per_hit_search_does(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    index = BrandIndex(sessions, tmp_path / "index")
    index.open_space("logo", DIM)
    rng = np.random.default_rng(3)
    with sessions() as session, session.begin():
        session.add_all([BrandRow(id=f"brd_{b}", name=f"B{b}", aliases=[], product_lines=[],
                                  authorized_sellers=[]) for b in range(6)])
        session.flush()
        for b in range(6):
            index.add(session, "logo", f"brd_{b}", rng.normal(size=(4, DIM)),
                      [f"{b}-{i}" for i in range(4)], "v1")
    queries = rng.normal(size=(40, DIM)).astype(np.float32)
    grouped = index.search_by_brand("logo", queries, 7)
    expected = group_hits(index.search("logo", queries, 7))
    assert grouped.rows.keys() == expected.rows.keys()
    for brand, pairs in expected.rows.items():
        assert [row for _, row in grouped.rows[brand]] == [row for _, row in pairs]
        assert np.allclose([s for s, _ in grouped.rows[brand]], [s for s, _ in pairs], atol=1e-6)
    assert grouped.floor == pytest.approx(expected.floor, abs=1e-6)
    assert grouped.best() == pytest.approx(expected.best())
    with sessions() as session, session.begin():  # a removed brand's vectors leave the groups
        index.remove_where(session, space="logo", brand_id="brd_2")
    assert "brd_2" not in index.search_by_brand("logo", queries, 7).rows
    empty = index.search_by_brand("logo", queries[:0], 7)
    assert empty.rows == {} and empty.floor == 0.0
