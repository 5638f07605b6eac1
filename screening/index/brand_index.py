"""The brand-similarity index: named FAISS spaces backed by the `index_vectors` table.

Every signal that searches by similarity (text encoder, logo embedder) owns one space.
Vectors are written to the database inside the caller's transaction; the in-memory FAISS
index follows only when that transaction commits, so a rolled-back request leaves no trace.
On start each space is loaded from its file when the file's fingerprint matches the
database, and rebuilt from the database rows otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from screening.db.tables import IndexVectorRow
from screening.index.vector_index import Fingerprint, VectorIndex, normalize_rows

log = structlog.get_logger(__name__)

_PENDING_KEY = "brand_index_pending"


@dataclass(frozen=True)
class VectorRef:
    brand_id: str
    mark_id: str | None
    label: str


@dataclass(frozen=True)
class IndexHit:
    vector_id: int
    brand_id: str
    mark_id: str | None
    label: str
    score: float


@dataclass(frozen=True)
class BrandRows:
    """Top-k hits of many query rows grouped by brand. A brand counts once per row, at its
    best hit there; `rows[brand]` holds (score, row) pairs, best first."""

    rows: dict[str, list[tuple[float, int]]]
    floor: float  # the lowest k-th score of any row: a bound for brands not listed

    def best(self) -> dict[str, float]:
        return {brand: pairs[0][0] for brand, pairs in self.rows.items()}


@dataclass(frozen=True)
class _Snapshot:
    """A space's refs as lookup structures, as of one `writes` count."""

    writes: int
    ids: np.ndarray  # vector ids, sorted
    codes: np.ndarray  # the brand number of each id
    brands: list[str]  # the brand of each number
    by_brand: dict[str, list[int]]  # vector ids per brand


_EMPTY = _Snapshot(-1, np.zeros(0, np.int64), np.zeros(0, np.int64), [], {})


@dataclass
class _Space:
    dim: int
    index: VectorIndex
    refs: dict[int, VectorRef]
    writes: int = 0  # bumped after every change to `refs`
    snapshot_cache: _Snapshot = _EMPTY

    def snapshot(self) -> _Snapshot:
        cached = self.snapshot_cache
        if cached.writes != self.writes:
            writes = self.writes  # read before the refs: a racing write shows next time
            items = sorted(self.refs.items())
            brands = sorted({ref.brand_id for _, ref in items})
            number = {name: i for i, name in enumerate(brands)}
            by_brand: dict[str, list[int]] = {}
            for vector_id, ref in items:
                by_brand.setdefault(ref.brand_id, []).append(vector_id)
            cached = _Snapshot(writes, np.array([vector_id for vector_id, _ in items], np.int64),
                               np.array([number[ref.brand_id] for _, ref in items], np.int64),
                               brands, by_brand)
            self.snapshot_cache = cached
        return cached

    def ids_of(self, brand_id: str) -> list[int]:
        return self.snapshot().by_brand.get(brand_id, [])


class BrandIndex:
    """All similarity spaces of one service instance."""

    def __init__(self, sessions: sessionmaker[Session], directory: Path) -> None:
        self._sessions = sessions
        self._directory = directory
        self._spaces: dict[str, _Space] = {}
        self._lock = threading.RLock()
        # Each index applies only its own writes: two indexes over one session factory (a
        # restart in one process) must not take each other's pending changes.
        self._pending_key = (_PENDING_KEY, id(self))
        event.listen(sessions, "after_commit", self._apply_pending)
        event.listen(sessions, "after_rollback", self._drop_pending)

    # ----------------------------------------------------------------- lifecycle
    def open_space(self, space: str, dim: int) -> None:
        """Load a space from disk, or rebuild it from the database when missing or stale."""
        path = self._path(space)
        with self._sessions() as session:
            refs = self._load_refs(session, space)
        expected = Fingerprint.of(np.fromiter(refs.keys(), dtype=np.int64, count=len(refs)))
        index: VectorIndex | None = None
        if path.exists():
            try:
                loaded = VectorIndex.load(path)
                if loaded.dim == dim and loaded.fingerprint == expected:
                    index = loaded
            except (OSError, ValueError, RuntimeError) as exc:
                log.warning("index.load_failed", space=space, error=str(exc))
        if index is None:
            index = self._rebuild_index(space, dim)
            index.save(path)
            log.info("index.rebuilt", space=space, vectors=len(index))
        with self._lock:
            self._spaces[space] = _Space(dim, index, refs)

    def rebuild(self, space: str) -> int:
        """Rebuild one open space from the database; returns its vector count."""
        current = self._space(space)
        index = self._rebuild_index(space, current.dim)
        with self._sessions() as session:
            refs = self._load_refs(session, space)
        index.save(self._path(space))
        with self._lock:
            self._spaces[space] = _Space(current.dim, index, refs)
        return len(index)

    def save(self) -> None:
        with self._lock:
            spaces = dict(self._spaces)
        for name, space in spaces.items():
            space.index.save(self._path(name))

    def spaces(self) -> dict[str, int]:
        with self._lock:
            return {name: len(space.index) for name, space in self._spaces.items()}

    def is_open(self, space: str) -> bool:
        return space in self._spaces

    # ----------------------------------------------------------------- writes
    def add(
        self,
        session: Session,
        space: str,
        brand_id: str,
        vectors: np.ndarray,
        labels: Sequence[str],
        model_version: str,
        mark_id: str | None = None,
    ) -> list[int]:
        """Insert vectors in the caller's transaction; searchable once it commits."""
        target = self._space(space)
        vectors = normalize_rows(vectors)
        if vectors.shape != (len(labels), target.dim):
            raise ValueError(f"{space}: expected ({len(labels)}, {target.dim}) vectors")
        rows = [
            IndexVectorRow(
                space=space,
                brand_id=brand_id,
                mark_id=mark_id,
                label=label[:500],
                model_version=model_version,
                vector=vector.tobytes(),
            )
            for vector, label in zip(vectors, labels, strict=True)
        ]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
        pending = session.info.setdefault(self._pending_key, [])
        pending.append(("add", space, ids, vectors, [VectorRef(brand_id, mark_id, lb) for lb in labels]))
        return ids

    def remove_where(
        self,
        session: Session,
        *,
        space: str | None = None,
        brand_id: str | None = None,
        mark_id: str | None = None,
        ids: Iterable[int] | None = None,
    ) -> int:
        """Delete matching vectors in the caller's transaction; gone from search on commit."""
        query = select(IndexVectorRow.id, IndexVectorRow.space)
        if space is not None:
            query = query.where(IndexVectorRow.space == space)
        if brand_id is not None:
            query = query.where(IndexVectorRow.brand_id == brand_id)
        if mark_id is not None:
            query = query.where(IndexVectorRow.mark_id == mark_id)
        if ids is not None:
            query = query.where(IndexVectorRow.id.in_(list(ids)))
        found = session.execute(query).all()
        by_space: dict[str, list[int]] = {}
        for vector_id, vector_space in found:
            by_space.setdefault(vector_space, []).append(vector_id)
        all_ids = [vector_id for vector_id, _ in found]
        if all_ids:
            session.execute(delete(IndexVectorRow).where(IndexVectorRow.id.in_(all_ids)))
        pending = session.info.setdefault(self._pending_key, [])
        for vector_space, space_ids in by_space.items():
            pending.append(("remove", vector_space, space_ids, None, None))
        return len(all_ids)

    # ----------------------------------------------------------------- reads
    def search(self, space: str, queries: np.ndarray, k: int) -> list[list[IndexHit]]:
        """Top-k hits per query row, best first."""
        target = self._space(space)
        scores, ids = target.index.search(queries, k)
        results: list[list[IndexHit]] = []
        for row_scores, row_ids in zip(scores, ids, strict=True):
            hits = []
            for score, vector_id in zip(row_scores.tolist(), row_ids.tolist(), strict=True):
                ref = target.refs.get(int(vector_id))
                if vector_id < 0 or ref is None:
                    continue
                hits.append(IndexHit(int(vector_id), ref.brand_id, ref.mark_id, ref.label, score))
            results.append(hits)
        return results

    def search_by_brand(self, space: str, queries: np.ndarray, k: int) -> BrandRows:
        """Top-k hits per query row, grouped by brand (`BrandRows`), without a Python object
        per hit: a photo's thousand windows are searched in one call."""
        target = self._space(space)
        scores, found = target.index.search(queries, k)
        snapshot = target.snapshot()
        ids, codes, brands = snapshot.ids, snapshot.codes, snapshot.brands
        last = scores[found[:, -1] >= 0, -1]  # each row's k-th hit, where it has k
        floor = float(last.min()) if last.size else 0.0
        if not len(ids):
            return BrandRows({}, floor)
        at = np.clip(np.searchsorted(ids, found), 0, len(ids) - 1)
        valid = (found >= 0) & (ids[at] == found)
        rows = np.broadcast_to(np.arange(found.shape[0])[:, None], found.shape)[valid]
        brand = codes[at][valid]
        score = scores[valid]
        if not len(brand):
            return BrandRows({}, floor)
        # each (row, brand) once, at its best hit: rows are sorted best first, so the first
        _, first = np.unique(rows * len(brands) + brand, return_index=True)
        rows, brand, score = rows[first], brand[first], score[first]
        order = np.lexsort((rows, -score, brand))
        rows, brand, score = rows[order], brand[order], score[order]
        starts = np.flatnonzero(np.r_[True, brand[1:] != brand[:-1]])
        ends = np.r_[starts[1:], len(brand)]
        grouped = {brands[int(brand[a])]: list(zip(score[a:b].tolist(), rows[a:b].tolist(), strict=True))
                   for a, b in zip(starts.tolist(), ends.tolist(), strict=True)}
        return BrandRows(grouped, floor)

    def best_of_brand(self, space: str, query: np.ndarray, brand_id: str) -> IndexHit | None:
        """The brand's vector closest to `query` (one row), whatever its global rank."""
        target = self._space(space)
        ids = target.ids_of(brand_id)
        if not ids:
            return None
        try:
            vectors = target.index.vectors(ids)
        except KeyError:  # the index changed since the ids were read: no answer this time
            return None
        scores = vectors @ normalize_rows(query.reshape(1, -1))[0]
        best = int(np.argmax(scores))
        ref = target.refs.get(ids[best])
        if ref is None:
            return None
        return IndexHit(ids[best], ref.brand_id, ref.mark_id, ref.label, float(scores[best]))

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory of the database the spaces are built from (read-only uses)."""
        return self._sessions

    def labels(self, space: str) -> dict[int, VectorRef]:
        """A copy of the id → reference map of a space."""
        return dict(self._space(space).refs)

    # ----------------------------------------------------------------- internals
    def _space(self, space: str) -> _Space:
        with self._lock:
            found = self._spaces.get(space)
        if found is None:
            raise KeyError(f"index space {space!r} is not open")
        return found

    def _path(self, space: str) -> Path:
        return self._directory / f"{space}.faiss"

    @staticmethod
    def _load_refs(session: Session, space: str) -> dict[int, VectorRef]:
        rows = session.execute(
            select(
                IndexVectorRow.id, IndexVectorRow.brand_id, IndexVectorRow.mark_id, IndexVectorRow.label
            ).where(IndexVectorRow.space == space)
        )
        return {vid: VectorRef(brand, mark, label) for vid, brand, mark, label in rows}

    def _rebuild_index(self, space: str, dim: int) -> VectorIndex:
        index = VectorIndex(dim)
        with self._sessions() as session:
            total = session.scalar(
                select(func.count()).select_from(IndexVectorRow).where(IndexVectorRow.space == space)
            )
            batch_ids: list[int] = []
            batch_vectors: list[np.ndarray] = []
            rows = session.execute(
                select(IndexVectorRow.id, IndexVectorRow.vector)
                .where(IndexVectorRow.space == space)
                .execution_options(yield_per=2048)
            )
            for vector_id, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] != dim:
                    continue
                batch_ids.append(vector_id)
                batch_vectors.append(vector)
                if len(batch_ids) >= 2048:
                    index.add(np.array(batch_ids), np.stack(batch_vectors))
                    batch_ids, batch_vectors = [], []
            if batch_ids:
                index.add(np.array(batch_ids), np.stack(batch_vectors))
        log.debug("index.rebuild", space=space, rows=total, vectors=len(index))
        return index

    def _apply_pending(self, session: Session) -> None:
        pending = session.info.pop(self._pending_key, [])
        touched: set[str] = set()
        for op, space, ids, vectors, refs in pending:
            target = self._spaces.get(space)
            if target is None:
                continue
            id_array = np.array(ids, dtype=np.int64)
            if op == "add":
                target.index.add(id_array, vectors)
                target.refs.update(zip(ids, refs, strict=True))
            else:
                target.index.remove(id_array)
                for vector_id in ids:
                    target.refs.pop(vector_id, None)
            target.writes += 1
            touched.add(space)
        for space in touched:
            self._spaces[space].index.save(self._path(space))

    def _drop_pending(self, session: Session) -> None:
        session.info.pop(self._pending_key, None)
