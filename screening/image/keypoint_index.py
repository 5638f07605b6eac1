"""One FAISS index over the local descriptors of every reference mark.

A photo's keypoints are matched against the whole catalogue in one search, so a brand
whose mark is geometrically in the photo becomes a candidate however many brands are
registered (the window shortlist alone keeps only a few brands, and at catalogue scale the
right one is often not among them). The index is an inverted file with 8-bit scalar
quantisation whose coarse centroids and quantiser ranges ship with the weights
(`scripts/train_keypoint_codebook.py`): marks are added and removed as they arrive, the
index is never retrained or rebuilt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from screening.image.verify import KeypointSet

CODEBOOK_FILE = "keypoint_codebook.faiss"
DESCRIPTOR_DIM = 128


@dataclass(frozen=True)
class MarkMatches:
    """Photo keypoints whose nearest catalogue descriptor belongs to one mark."""

    brand_id: str
    mark_id: str
    reference: np.ndarray  # (N, 2) points in the mark
    photo: np.ndarray  # (N, 2) points in the photo
    width: int  # the mark's size, for projecting its frame
    height: int


@dataclass
class _Mark:
    brand_id: str
    mark_id: str
    ids: np.ndarray
    points: np.ndarray
    width: int
    height: int


def empty_index(codebook: Path) -> faiss.Index:
    """The shipped, trained and empty index (a copy each call)."""
    return faiss.read_index(str(codebook))


class KeypointIndex:
    """Thread-safe: adds, removes and searches take one lock (a search takes milliseconds)."""

    def __init__(self, index: faiss.Index, nprobe: int = 12, neighbours: int = 6,
                 ratio: float = 0.8) -> None:
        if index.d != DESCRIPTOR_DIM or not index.is_trained or index.ntotal:
            raise ValueError("expected a trained, empty 128-d descriptor index")
        try:
            faiss.extract_index_ivf(index).nprobe = nprobe
        except RuntimeError as exc:
            raise ValueError("expected an inverted-file index") from exc
        self._index = index
        self._neighbours = neighbours
        self._ratio = ratio
        self._marks: dict[int, _Mark] = {}  # slot -> mark
        self._slot_of: dict[str, int] = {}
        self._owner = np.zeros(0, np.int64)  # vector id -> slot (-1: removed)
        self._point = np.zeros(0, np.int64)  # vector id -> keypoint row in its mark
        self._next_slot = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._marks)

    @property
    def descriptors(self) -> int:
        return int(self._index.ntotal)

    def add(self, brand_id: str, mark_id: str, kps: KeypointSet) -> None:
        """Index a mark's descriptors (a mark already indexed is replaced)."""
        self.remove(mark_id)
        count = len(kps.points)
        with self._lock:
            slot = self._next_slot
            self._next_slot += 1
            start = len(self._owner)
            ids = np.arange(start, start + count, dtype=np.int64)
            self._owner = np.concatenate([self._owner, np.full(count, slot, np.int64)])
            self._point = np.concatenate([self._point, np.arange(count, dtype=np.int64)])
            if count:
                self._index.add_with_ids(np.ascontiguousarray(kps.descriptors, np.float32), ids)
            self._marks[slot] = _Mark(brand_id, mark_id, ids, kps.points.astype(np.float32),
                                      kps.width, kps.height)
            self._slot_of[mark_id] = slot

    def remove(self, mark_id: str) -> None:
        with self._lock:
            slot = self._slot_of.pop(mark_id, None)
            if slot is None:
                return
            mark = self._marks.pop(slot)
            if len(mark.ids):
                self._index.remove_ids(faiss.IDSelectorBatch(mark.ids))
                self._owner[mark.ids] = -1

    def match(self, photo: KeypointSet, min_matches: int, limit: int = 12) -> list[MarkMatches]:
        """Marks with at least `min_matches` photo keypoints whose nearest descriptor is
        theirs and passes the ratio test against the nearest of another brand; most first.

        The ratio test is against another *brand*, not the next neighbour, because a brand's
        marks repeat each other's descriptors.
        """
        if len(photo.points) == 0 or self._index.ntotal == 0:
            return []
        queries = np.ascontiguousarray(photo.descriptors, np.float32)
        with self._lock:  # FAISS does not allow a search while another thread adds
            distances, ids = self._index.search(queries, self._neighbours)
            owner, point, marks = self._owner, self._point, dict(self._marks)
        slots = np.where(ids >= 0, owner[np.clip(ids, 0, None)], -1)
        brand_of = {slot: mark.brand_id for slot, mark in marks.items()}
        votes: dict[int, dict[int, tuple[int, float]]] = {}
        for row in range(len(ids)):
            first = slots[row, 0]
            if first < 0 or first not in brand_of:
                continue
            brand = brand_of[first]
            other = next((distances[row, j] for j in range(1, ids.shape[1])
                          if slots[row, j] >= 0 and brand_of.get(slots[row, j]) != brand), None)
            # squared L2 distances: the ratio test on distances is ratio² on their squares
            if other is not None and distances[row, 0] >= self._ratio ** 2 * other:
                continue
            # one photo keypoint per reference keypoint, the closest: repeated texture would
            # otherwise pile many matches on one point and drown RANSAC in outliers
            pairs = votes.setdefault(int(first), {})
            ref_point = int(point[ids[row, 0]])
            if ref_point not in pairs or distances[row, 0] < pairs[ref_point][1]:
                pairs[ref_point] = (row, float(distances[row, 0]))
        ranked = sorted(((slot, pairs) for slot, pairs in votes.items() if len(pairs) >= min_matches),
                        key=lambda kv: -len(kv[1]))[:limit]
        out = []
        for slot, pairs in ranked:
            mark = marks[slot]
            ref_rows = np.fromiter(pairs, np.int64, len(pairs))
            photo_rows = np.array([row for row, _ in pairs.values()], np.int64)
            out.append(MarkMatches(mark.brand_id, mark.mark_id, mark.points[ref_rows],
                                   photo.points[photo_rows], mark.width, mark.height))
        return out
