"""One FAISS vector space with stable int64 ids, incremental add/remove and atomic saves."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from screening.storage import atomic_write


@dataclass(frozen=True)
class Fingerprint:
    """Identifies the set of ids in a space; equal fingerprints mean no rebuild is needed."""

    count: int
    max_id: int
    id_sum: int

    @classmethod
    def of(cls, ids: np.ndarray) -> Fingerprint:
        if len(ids) == 0:
            return cls(0, 0, 0)
        as_int = [int(i) for i in ids]
        return cls(len(as_int), max(as_int), sum(as_int) % (1 << 61))


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows so inner product is cosine similarity."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.ascontiguousarray(array / np.maximum(norms, 1e-12), dtype=np.float32)


class VectorIndex:
    """Exact cosine search over one space. Thread-safe; ids are chosen by the caller."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ids: set[int] = set()
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def fingerprint(self) -> Fingerprint:
        with self._lock:
            return Fingerprint.of(np.fromiter(self._ids, dtype=np.int64, count=len(self._ids)))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = normalize_rows(vectors)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {vectors.shape}")
        with self._lock:
            fresh = np.array([i not in self._ids for i in ids.tolist()], dtype=bool)
            if not fresh.all():
                self._index.remove_ids(ids[~fresh])
            self._index.add_with_ids(vectors, ids)
            self._ids.update(int(i) for i in ids)

    def remove(self, ids: np.ndarray) -> int:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        with self._lock:
            removed = int(self._index.remove_ids(ids))
            self._ids.difference_update(int(i) for i in ids)
            return removed

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored (unit) vectors of these ids, one row each; an unknown id raises KeyError."""
        with self._lock:
            missing = [i for i in ids if i not in self._ids]
            if missing:
                raise KeyError(f"no vectors with ids {missing[:5]}")
            if not ids:
                return np.zeros((0, self.dim), np.float32)
            return np.stack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; missing neighbours have id -1."""
        queries = normalize_rows(queries)
        with self._lock:
            if not self._ids:
                n = len(queries)
                return np.zeros((n, k), np.float32), np.full((n, k), -1, np.int64)
            scores, ids = self._index.search(queries, min(k, len(self._ids)))
        if ids.shape[1] < k:
            pad = k - ids.shape[1]
            scores = np.pad(scores, ((0, 0), (0, pad)))
            ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
        return scores, ids

    def save(self, path: Path) -> None:
        """Write the index and its manifest next to each other, each atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            data = faiss.serialize_index(self._index)
            manifest = {"dim": self.dim, **self.fingerprint.__dict__}
        atomic_write(path, data.tobytes())
        atomic_write(path.with_suffix(".json"), json.dumps(manifest).encode())

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        manifest = json.loads(path.with_suffix(".json").read_text())
        raw = np.frombuffer(path.read_bytes(), dtype=np.uint8)
        index = cls(int(manifest["dim"]))
        index._index = faiss.deserialize_index(raw)
        id_map = faiss.vector_to_array(index._index.id_map)
        index._ids = {int(i) for i in id_map}
        if index.fingerprint != Fingerprint(
            manifest["count"], manifest["max_id"], manifest["id_sum"]
        ):
            raise ValueError(f"index file {path} does not match its manifest")
        return index

