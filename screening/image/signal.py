"""`ImageSignal`: logo, OCR and near-duplicate evidence from listing photos.

Reference marks live in the brand index: space "logo" holds embeddings of several views of
every logo / wordmark image, space "logo_mid" mid-level descriptors of the same views (they
rank a photo's windows by pattern), space "photo_hash" the PDQ hashes of product photos (as ±1
vectors). Keypoints for verification are computed when a mark is added and kept in memory,
per brand and in one catalogue-wide descriptor index (`KeypointIndex`).
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import structlog
from sqlalchemy.orm import Session

from screening.image.calibration import Calibration
from screening.image.detector import (
    Candidate,
    DetectorConfig,
    LogoDetector,
    Lookups,
    best_per_brand,
)
from screening.image.embed import DEFAULT_WEIGHTS, MID_DIM, MarkEmbedder, trim_uniform_border
from screening.image.keypoint_index import CODEBOOK_FILE, KeypointIndex, MarkMatches, empty_index
from screening.image.ocr import TextReader, match_brands
from screening.image.phash import (
    BITS,
    MIN_QUALITY,
    bits_to_vector,
    cosine_to_distance,
    distance_score,
    pdq_bits,
)
from screening.image.verify import KeypointSet, reference_keypoints
from screening.index.brand_index import BrandIndex, BrandRows, IndexHit
from screening.types import (
    BrandProfile,
    DecodedImage,
    Evidence,
    MarkKind,
    ScreeningInput,
    SignalOutput,
)

log = structlog.get_logger(__name__)

LOGO_SPACE = "logo"
MID_SPACE = "logo_mid"
MID_SCHEME = "mid16-b7b10"  # how `MID_SPACE` vectors are made; part of the stored version
VIEW_SCHEME = "views6"  # which `reference_views` are indexed; part of the stored version too
HASH_SPACE = "photo_hash"
# Each reference mark also as a photo's window sees it (`MarkEmbedder.embed_in_context`),
# filling windows of these sides in head cells. Windows search these views to shortlist
# brands and to propose windows; crops are matched against `LOGO_SPACE` only.
CONTEXT_SPACE = "logo_context"
CONTEXT_CELLS = (2, 4)
CONTEXT_SCHEME = "ctx24"  # part of the stored version
# Logo matches scoring under this are not reported. Chosen on the calibration split
# (`cv_logo_calibration.py --report-floors`, 2026-12-07): the highest floor that keeps every
# photo whose leading brand is right (84/112; 0.1 kept 74, 0.05 kept 81), while its 309
# box-free regions report 199 weak brands in all (0.1: 33; 0.02: 355). A weak match decides
# nothing on its own; it tells a moderator which brand a photo most resembles.
REPORT_FLOOR = 0.03


def reference_views(rgb: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Views of one reference mark that cover framing, rotation, colour and resolution
    changes (a small mark in a photo reaches the embedder upsampled, so soft-edged)."""
    mark = trim_uniform_border(rgb)
    h, w = mark.shape[:2]
    views = [("clean", mark)]
    pad = max(h, w) // 4
    views.append(("loose", cv2.copyMakeBorder(mark, pad, pad, pad, pad, cv2.BORDER_REPLICATE)))
    grey = cv2.cvtColor(cv2.cvtColor(mark, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    views.append(("grey", grey))
    for angle in (-15, 15):
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        views.append((f"rot{angle}", cv2.warpAffine(mark, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)))
    views.append(("soft", cv2.GaussianBlur(mark, (0, 0), max(1.0, max(h, w) / 60))))
    return views


class ImageSignal:
    """Satisfies `screening.types.Signal` and `screening.signals.base.MarkIndexer`."""

    name = "image"

    def __init__(self, embedder: MarkEmbedder, calibration: Calibration,
                 config: DetectorConfig | None = None, use_ocr: bool = True,
                 marks_dir: Path | None = None, codebook: Path | None = None) -> None:
        self.embedder = embedder
        self.detector = LogoDetector(embedder, calibration, config)
        # written with every view's vectors; another version's are re-embedded at start
        self.version = f"{embedder.version}+{MID_SCHEME}+{VIEW_SCHEME}+{CONTEXT_SCHEME}"
        self.reader = TextReader() if use_ocr else None
        self._index: BrandIndex | None = None
        self._keypoints: dict[str, list[tuple[str, KeypointSet]]] = {}
        self._codebook = codebook or DEFAULT_WEIGHTS / CODEBOOK_FILE
        self._catalogue_keypoints = KeypointIndex(empty_index(self._codebook))
        self._lock = threading.Lock()
        self._marks_dir = marks_dir

    @classmethod
    def load(cls, weights_dir: Path | None = None, use_ocr: bool = True,
             backend: str = "auto", marks_dir: Path | None = None,
             calibration: Calibration | None = None) -> ImageSignal:
        """`marks_dir` (the service's mark store) lets a restart restore keypoints;
        `calibration` replaces the one in `weights_dir` (when refitting it)."""
        directory = weights_dir or DEFAULT_WEIGHTS
        embedder = MarkEmbedder.load(directory, backend)
        codebook = directory / CODEBOOK_FILE  # the descriptor codebook does not depend on the trunk
        return cls(embedder, calibration or Calibration.load(directory / "calibration.json"),
                   use_ocr=use_ocr, marks_dir=marks_dir,
                   codebook=codebook if codebook.is_file() else None)

    # ----------------------------------------------------------------- indexing
    def open_index(self, index: BrandIndex) -> None:
        index.open_space(LOGO_SPACE, self.embedder.dim)
        index.open_space(MID_SPACE, MID_DIM)
        index.open_space(CONTEXT_SPACE, self.embedder.dim)
        index.open_space(HASH_SPACE, BITS)
        self._index = index
        known = self._reembed_stale(index)
        refs = {ref.mark_id: ref.brand_id for ref in index.labels(LOGO_SPACE).values() if ref.mark_id}
        restored = self._restore_keypoints(index, refs, known)
        missing = len(refs) - sum(len(marks) for marks in restored.values())
        if missing:
            log.warning("image.keypoints_missing", marks=missing,
                        note="mark files not found; those marks match without keypoint verification")
        catalogue = KeypointIndex(empty_index(self._codebook))
        for brand_id, marks in restored.items():
            for mark_id, kps in marks:
                catalogue.add(brand_id, mark_id, kps)
        with self._lock:
            self._keypoints = restored
            self._catalogue_keypoints = catalogue

    def _read_mark(self, sha: str) -> np.ndarray | None:
        """A stored mark's pixels, or None when its file is gone or no longer decodes."""
        from screening.errors import ScreeningError
        from screening.image.decode import decode_image
        from screening.storage import MarkStore

        if self._marks_dir is None or not self._marks_dir.is_dir():
            return None
        store = MarkStore(self._marks_dir)
        if not store.exists(sha):
            return None
        try:
            return decode_image(store.read(sha), max_bytes=50_000_000, max_pixels=40_000_000,
                                allow_svg=True).rgb
        except ScreeningError:  # a file that no longer decodes: keep the service up
            return None

    def _reembed_stale(self, index: BrandIndex) -> dict[str, KeypointSet]:
        """Re-embed, from the mark store, logo vectors another embedder version (or mid-level
        scheme) wrote; the keypoints of the marks it read (so each file is decoded once per
        start).

        Vectors of another version live in another embedding space and would match nothing
        reliably, so those whose mark file is gone are dropped (logged), not kept.
        """
        from sqlalchemy import select

        from screening.db.tables import BrandRow, IndexVectorRow, MarkRow

        with index.sessions() as session:
            stale = session.execute(select(IndexVectorRow.id, IndexVectorRow.mark_id).where(
                IndexVectorRow.space.in_((LOGO_SPACE, MID_SPACE, CONTEXT_SPACE)),
                IndexVectorRow.model_version != self.version)).all()
            if not stale:
                return {}
            mark_ids = sorted({mark_id for _, mark_id in stale if mark_id})
            marks = session.execute(
                select(MarkRow.id, MarkRow.sha256, MarkRow.kind, BrandRow.id, BrandRow.name)
                .join(BrandRow, MarkRow.brand_id == BrandRow.id).where(MarkRow.id.in_(mark_ids))).all()
            index.remove_where(session, ids=[vector_id for vector_id, _ in stale])
            redone: dict[str, KeypointSet] = {}
            for mark_id, sha, kind, brand_id, brand_name in marks:
                rgb = self._read_mark(sha)
                if rgb is not None:
                    self._add_views(session, index, brand_id, brand_name, mark_id, MarkKind(kind), rgb)
                    redone[mark_id] = reference_keypoints(trim_uniform_border(rgb))
            session.commit()
        log.info("image.reembedded", version=self.version, vectors=len(stale),
                 marks=len(redone), dropped=len(mark_ids) - len(redone))
        return redone

    def _restore_keypoints(self, index: BrandIndex, refs: dict[str, str],
                           known: dict[str, KeypointSet]) -> dict[str, list[tuple[str, KeypointSet]]]:
        """Keypoints of indexed marks (mark id -> brand in `refs`): those in `known`, the
        others recomputed from the mark store (files are the truth)."""
        out: dict[str, list[tuple[str, KeypointSet]]] = {}
        for mark_id, kps in known.items():
            if mark_id in refs:
                out.setdefault(refs[mark_id], []).append((mark_id, kps))
        unread = [mark_id for mark_id in refs if mark_id not in known]
        if not unread:
            return out
        from sqlalchemy import select

        from screening.db.tables import MarkRow

        with index.sessions() as session:
            rows = session.execute(select(MarkRow.id, MarkRow.sha256).where(MarkRow.id.in_(unread))).all()
        for mark_id, sha in rows:
            rgb = self._read_mark(sha)
            if rgb is not None:
                out.setdefault(refs[mark_id], []).append((mark_id, reference_keypoints(trim_uniform_border(rgb))))
        return out

    def on_mark_added(self, session: Session, index: BrandIndex, brand: BrandProfile,
                      mark_id: str, kind: MarkKind, rgb: np.ndarray) -> None:
        self._index = index
        if kind == MarkKind.PRODUCT_PHOTO:
            bits, quality = pdq_bits(rgb)
            if quality < MIN_QUALITY:
                log.info("image.flat_product_photo", mark_id=mark_id, quality=quality)
            index.add(session, HASH_SPACE, brand.id, bits_to_vector(bits),
                      [f"{brand.name} product photo"], "pdq-1", mark_id=mark_id)
            return
        self._add_views(session, index, brand.id, brand.name, mark_id, kind, rgb)
        kps = reference_keypoints(trim_uniform_border(rgb))
        with self._lock:
            self._keypoints.setdefault(brand.id, []).append((mark_id, kps))
            catalogue = self._catalogue_keypoints
        catalogue.add(brand.id, mark_id, kps)

    def _add_views(self, session: Session, index: BrandIndex, brand_id: str, brand_name: str,
                   mark_id: str, kind: MarkKind, rgb: np.ndarray) -> None:
        views = reference_views(rgb)
        vectors, mids = self.embedder.embed_views([v for _, v in views])
        label = f"{brand_name} {kind.value.replace('_', ' ')}"
        labels = [f"{label} ({name})" for name, _ in views]
        index.add(session, LOGO_SPACE, brand_id, vectors, labels, self.version, mark_id=mark_id)
        index.add(session, MID_SPACE, brand_id, mids, labels, self.version, mark_id=mark_id)
        in_context = self.embedder.embed_in_context(trim_uniform_border(rgb), CONTEXT_CELLS)
        index.add(session, CONTEXT_SPACE, brand_id, in_context,
                  [f"{label} (in context {cells})" for cells in CONTEXT_CELLS], self.version, mark_id=mark_id)

    def forget_mark(self, mark_id: str) -> None:
        """Drop cached keypoints of a deleted mark (vectors go through `remove_where`)."""
        with self._lock:
            for marks in self._keypoints.values():
                marks[:] = [(m, k) for m, k in marks if m != mark_id]
            catalogue = self._catalogue_keypoints
        catalogue.remove(mark_id)

    # ----------------------------------------------------------------- screening
    def evaluate(self, item: ScreeningInput) -> SignalOutput:
        out = SignalOutput()
        index = self._index
        if index is None:
            return out
        for image in item.images:
            out.evidence.extend(self._near_duplicates(index, image))
            if index.is_open(LOGO_SPACE) and index.spaces().get(LOGO_SPACE, 0) > 0:
                out.evidence.extend(self._logos(index, image, item))
        return out

    def detect(self, rgb: np.ndarray) -> list[Candidate]:
        """The best logo candidate per brand in one photo, highest score first."""
        return best_per_brand(self.detect_all(rgb))

    def detect_all(self, rgb: np.ndarray) -> list[Candidate]:
        """Every scored proposal of one photo (calibration re-scores these offline)."""
        index = self._index
        if index is None or index.spaces().get(LOGO_SPACE, 0) == 0:
            return []

        def search(vectors: np.ndarray, k: int) -> list[list[IndexHit]]:
            return index.search(LOGO_SPACE, vectors, k)

        def group(vectors: np.ndarray, k: int) -> BrandRows:
            return index.search_by_brand(LOGO_SPACE, vectors, k)

        def group_mid(vectors: np.ndarray, k: int) -> BrandRows:
            return index.search_by_brand(MID_SPACE, vectors, k)

        def group_context(vectors: np.ndarray, k: int) -> BrandRows:
            return index.search_by_brand(CONTEXT_SPACE, vectors, k)

        live: set[str | None] = set()

        def is_live(mark_id: str) -> bool:
            # Only marks whose vectors are live: a deleted mark, or one whose transaction
            # rolled back, never verifies anything.
            if not live:
                live.update(ref.mark_id for ref in index.labels(LOGO_SPACE).values())
            return mark_id in live

        def keypoints_of(brand_id: str) -> list[tuple[str, KeypointSet]]:
            with self._lock:
                marks = list(self._keypoints.get(brand_id, ()))
            return [(m, k) for m, k in marks if is_live(m)]

        def match_photo(photo: KeypointSet, min_matches: int) -> list[MarkMatches]:
            with self._lock:
                catalogue = self._catalogue_keypoints
            return [m for m in catalogue.match(photo, min_matches) if is_live(m.mark_id)]

        def best_of_brand(vector: np.ndarray, brand_id: str) -> IndexHit | None:
            return index.best_of_brand(LOGO_SPACE, vector, brand_id)

        def best_mid_of_brand(vector: np.ndarray, brand_id: str) -> IndexHit | None:
            return index.best_of_brand(MID_SPACE, vector, brand_id)

        return self.detector.detect_all(
            rgb, Lookups(search, keypoints_of, match_photo, best_of_brand, group, group_mid,
                         best_mid_of_brand, group_context))

    def _logos(self, index: BrandIndex, image: DecodedImage, item: ScreeningInput) -> list[Evidence]:
        evidence: list[Evidence] = []
        for cand in self.detect(image.rgb):
            if cand.score < REPORT_FLOOR:
                continue
            f = cand.features
            detail = (f"{cand.label} matched at {f.crop_sim:.2f} (margin {f.margin:+.2f}), "
                      f"{f.inliers} RANSAC inliers")
            evidence.append(Evidence("logo", cand.brand_id, round(cand.score, 4), detail,
                                     image_index=image.index, bbox=cand.box, mark_id=cand.mark_id))
        if self.reader is not None and item.catalogue.brands:
            for hit in match_brands(self.reader.read(image.rgb), item.catalogue.brands.values()):
                how = "reads as" if hit.similarity >= 1.0 else f"is close to ({hit.similarity:.2f})"
                detail = f"text '{hit.text}' in the photo {how} '{hit.name}' (OCR confidence {hit.confidence:.2f})"
                evidence.append(Evidence("ocr", hit.brand_id, round(hit.score, 4),
                                         detail, image_index=image.index, bbox=hit.box))
        return evidence

    def _near_duplicates(self, index: BrandIndex, image: DecodedImage) -> list[Evidence]:
        if not index.is_open(HASH_SPACE) or index.spaces().get(HASH_SPACE, 0) == 0:
            return []
        bits, quality = pdq_bits(image.rgb)
        if quality < MIN_QUALITY:
            return []
        found: dict[str, Evidence] = {}
        for hit in index.search(HASH_SPACE, bits_to_vector(bits), 8)[0]:
            distance = cosine_to_distance(hit.score)
            score = distance_score(distance)
            if score <= 0 or (hit.brand_id in found and found[hit.brand_id].score >= score):
                continue
            h, w = image.rgb.shape[:2]
            found[hit.brand_id] = Evidence(
                "near_duplicate", hit.brand_id, round(score, 4),
                f"near-copy of the brand's {hit.label} (PDQ distance {distance} of {BITS} bits)",
                image_index=image.index, bbox=(0, 0, w, h), mark_id=hit.mark_id)
        return list(found.values())
