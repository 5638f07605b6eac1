"""Find reference marks in one photo: dense windows → index search (embeddings and mid-level
descriptors) → a shortlist of brands → proposals (their best windows, and boxes where any
catalogue mark matches the whole photo's keypoints) → crop re-embedding → keypoint
verification → calibrated per-brand candidates with boxes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np

from screening.image.calibration import Calibration, CandidateFeatures, inlier_evidence
from screening.image.colour import colour_signature, colour_similarity
from screening.image.embed import MarkEmbedder, Windows
from screening.image.keypoint_index import MarkMatches
from screening.image.verify import (
    KeypointSet,
    expand_box,
    fit_frame,
    group_keypoints,
    group_regions,
    keypoints,
    match,
)
from screening.index.brand_index import BrandRows, IndexHit

SearchFn = Callable[[np.ndarray, int], list[list[IndexHit]]]
KeypointFn = Callable[[str], Sequence[tuple[str, KeypointSet]]]
PhotoMatchFn = Callable[[KeypointSet, int], list[MarkMatches]]
BrandBestFn = Callable[[np.ndarray, str], IndexHit | None]
GroupFn = Callable[[np.ndarray, int], BrandRows]


_SIFT_WORKER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="logo-keypoints")
# OpenCV's own thread pool stays off: the worker's two threads and the trunk already fill a
# 2-core machine, and SIFT splitting each call over more threads only adds contention (the
# latency bench's photos, runs alternated: p50 220-243 ms with one OpenCV thread, 249-270
# ms with OpenCV's default of one per core; keypoints are identical)
OPENCV_THREADS = 1


@dataclass(frozen=True)
class Lookups:
    """What the detector reads from the catalogue's indexes for one photo."""

    search: SearchFn  # embeddings -> top-k reference views
    keypoints_of: KeypointFn  # brand -> its marks' keypoints
    match_photo: PhotoMatchFn  # a photo's keypoints -> marks matched across the catalogue
    best_of_brand: BrandBestFn  # an embedding -> the brand's closest reference view
    group: GroupFn  # window embeddings -> top-k reference views, grouped by brand
    group_mid: GroupFn | None = None  # the same for mid-level descriptors
    best_mid_of_brand: BrandBestFn | None = None  # a mid-level descriptor -> the brand's closest view
    group_context: GroupFn | None = None  # window embeddings -> marks' in-context views, by brand


@dataclass(frozen=True)
class DetectorConfig:
    long_side: int = 512
    window_sizes: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12)
    window_k: int = 8
    brands_per_image: int = 6  # by best embedding (or in-context) plus best mid-level window similarity
    windows_per_brand: int = 2  # each brand's best windows by embedding...
    context_windows_per_brand: int = 1  # ...by in-context view, and...
    mid_windows_per_brand: int = 2  # ...by mid-level descriptor, where those are elsewhere
    crop_expand: float = 1.15
    verify_expand: float = 1.6
    crop_k: int = 64
    photo_side: int = 800  # keypoints of the whole photo, matched against the whole catalogue
    photo_features: int = 1500
    photo_min_inliers: int = 8
    photo_marks: int = 8  # marks with the most matched photo keypoints that get a RANSAC fit


@dataclass(frozen=True)
class Candidate:
    brand_id: str
    mark_id: str | None
    label: str
    box: tuple[int, int, int, int]
    features: CandidateFeatures
    score: float


def iou(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class LogoDetector:
    """Stateless per call; safe to share between threads (the embedder serialises inference)."""

    def __init__(self, embedder: MarkEmbedder, calibration: Calibration,
                 config: DetectorConfig | None = None) -> None:
        self.embedder = embedder
        self.calibration = calibration
        self.config = config or DetectorConfig()
        cv2.setNumThreads(OPENCV_THREADS)  # process-wide

    def detect(self, rgb: np.ndarray, lookups: Lookups) -> list[Candidate]:
        """Best candidate per brand, highest score first."""
        return best_per_brand(self.detect_all(rgb, lookups))

    def detect_all(self, rgb: np.ndarray, lookups: Lookups) -> list[Candidate]:
        """Every verified proposal (a few per brand), scored with the current calibration."""
        cfg = self.config
        h, w = rgb.shape[:2]
        # the photo's keypoints (OpenCV, one core) are found while the trunk runs on the other
        geometric = _SIFT_WORKER.submit(self._geometric_proposals, rgb, lookups.match_photo)
        windows = self.embedder.embed_windows(rgb, cfg.long_side, cfg.window_sizes)
        if len(windows.boxes) == 0:
            geometric.result()
            return []
        proposals, head, mid, context = self._window_proposals(windows, lookups)
        proposals.extend((brand, head.score(brand), box) for brand, box in geometric.result())
        regions = [expand_box(box, cfg.verify_expand, w, h) for _, _, box in proposals]
        # brands often share a window, and overlapping regions of one size a SIFT pass: the
        # regions' keypoints are found on the worker while the crops are embedded
        groups = group_regions(regions)
        passes = [_SIFT_WORKER.submit(group_keypoints, rgb, group) for group in groups]
        region_keypoints_of = {region: found for group, found in zip(groups, passes, strict=True)
                               for region in group.members}
        crops_boxes = [expand_box(box, cfg.crop_expand, w, h) for _, _, box in proposals]
        distinct = list(dict.fromkeys(crops_boxes))  # ...and each crop is embedded once
        vectors, crop_mids = self.embedder.embed_views([rgb[y0:y1, x0:x1] for x0, y0, x1, y1 in distinct])
        searched = lookups.search(vectors, cfg.crop_k) if distinct else []
        at = {box: i for i, box in enumerate(distinct)}
        crop_vectors = [vectors[at[box]] for box in crops_boxes]
        crop_hits = [searched[at[box]] for box in crops_boxes]
        crop_mid_of = [crop_mids[at[box]] for box in crops_boxes]
        colours = {box: colour_signature(rgb[box[1]:box[3], box[0]:box[2]]) for box in distinct}
        found: list[Candidate] = []
        for (brand_id, window_sim, box), row, vector, crop_mid, region, crop_box in zip(
                proposals, crop_hits, crop_vectors, crop_mid_of, regions, crops_boxes, strict=True):
            own = [hit for hit in row if hit.brand_id == brand_id]
            if not own:  # ranked below other brands' views: still the brand's own similarity
                closest = lookups.best_of_brand(vector, brand_id)
                own = [closest] if closest is not None else []
            other = [hit.score for hit in row if hit.brand_id != brand_id]
            crop_sim = own[0].score if own else float(window_sim) - 0.1
            margin = crop_sim - (other[0] if other else 0.0)
            query_kps = region_keypoints_of[region].result()[region]
            inliers, ratio, mark_id, label = 0, 0.0, None, own[0].label if own else brand_id
            colour = 0.0
            out_box = tuple(int(v) for v in box)
            if own:
                mark_id = own[0].mark_id
            for ref_mark, ref_kps in lookups.keypoints_of(brand_id):
                if ref_kps.colour is not None:
                    colour = max(colour, colour_similarity(colours[crop_box], ref_kps.colour))
                result = match(ref_kps, query_kps)
                if result.inliers > inliers:
                    inliers = result.inliers
                    ratio = result.inliers / max(1, min(len(ref_kps.points), len(query_kps.points)))
                    mark_id = ref_mark
                    if result.box is not None and result.inliers >= 8:
                        out_box = _clip(result.box, w, h)
            mid_sim = mid.score(brand_id)
            mid_hit = lookups.best_mid_of_brand(crop_mid, brand_id) if lookups.best_mid_of_brand else None
            features = CandidateFeatures(crop_sim, float(window_sim), margin, inliers, ratio,
                                         head.margin(brand_id, float(window_sim), 0.0), mid_sim,
                                         mid.margin(brand_id, mid_sim, mid.floor),
                                         crop_mid_sim=mid_hit.score if mid_hit else 0.0,
                                         context_sim=context.score(brand_id), colour_sim=colour)
            found.append(Candidate(brand_id, mark_id, label, out_box, features, 0.0))  # type: ignore[arg-type]
        return [replace(cand, score=self.calibration.probability(cand.features))
                for cand in with_photo_margins(found)]

    def _window_proposals(self, windows: Windows, lookups: Lookups
                          ) -> tuple[list[tuple[str, float, np.ndarray]], _Ranking, _Ranking, _Ranking]:
        """(brand, window similarity, box) of the best windows of the shortlisted brands,
        and the three rankings. The shortlist ranks brands by their best window's embedding
        similarity (to the marks' views, or to their in-context views where that is higher)
        plus their best window's mid-level similarity (ImageNet's last layer ranks windows by
        object class, mid-level blocks by pattern; either alone misses marks the other
        finds). Each brand proposes its best windows by embedding, then by in-context view
        and by mid-level descriptor where those are elsewhere in the photo; those carry their
        own embedding similarity to the brand."""
        cfg = self.config
        head_rows = lookups.group(windows.vectors, cfg.window_k)
        mid_rows = lookups.group_mid(windows.mid, cfg.window_k) if lookups.group_mid else None
        context_rows = lookups.group_context(windows.vectors, cfg.window_k) if lookups.group_context else None
        head, mid, context = _Ranking.of(head_rows), _Ranking.of(mid_rows), _Ranking.of(context_rows)
        brands = sorted(set(head.best) | set(mid.best) | set(context.best))

        def rank(brand_id: str) -> float:
            return max(head.score(brand_id), context.score(brand_id)) + mid.score(brand_id)

        shortlist = sorted(brands, key=lambda b: -rank(b))[: cfg.brands_per_image]
        proposals: list[tuple[str, float, np.ndarray]] = []
        for brand_id in shortlist:
            own = {i: score for score, i in head_rows.rows.get(brand_id, [])}
            kept: list[np.ndarray] = []
            # an in-context window only where those views beat the brand's own (few do)
            in_context = cfg.context_windows_per_brand if context.score(brand_id) > head.score(brand_id) else 0
            for rows, most, by_head in ((head_rows, cfg.windows_per_brand, True),
                                        (context_rows, in_context, False),
                                        (mid_rows, cfg.mid_windows_per_brand, False)):
                taken = 0
                for score, i in rows.rows.get(brand_id, []) if rows is not None else []:  # best first
                    if taken >= most:
                        break
                    box = windows.boxes[i]
                    if all(iou(box, k) < 0.3 for k in kept):
                        kept.append(box)
                        taken += 1
                        # a mid-level or in-context window carries its own embedding similarity
                        # (the floor where the brand is not among that window's top hits)
                        proposals.append((brand_id, score if by_head else own.get(i, head.floor), box))
        return proposals, head, mid, context

    def _geometric_proposals(self, rgb: np.ndarray, match_photo: PhotoMatchFn
                             ) -> list[tuple[str, np.ndarray]]:
        """(brand, box) where a catalogue mark matches the whole photo geometrically, the
        best-fitting mark per brand.

        Windows can miss a small or partly hidden mark that keypoints still find, and the
        window shortlist holds few brands; the box is the projected reference frame.
        """
        cfg = self.config
        h, w = rgb.shape[:2]
        photo = keypoints(rgb, cfg.photo_side, cfg.photo_features)
        best: dict[str, tuple[int, tuple[int, int, int, int]]] = {}
        for found in match_photo(photo, cfg.photo_min_inliers)[: cfg.photo_marks]:
            result = fit_frame(found.reference, found.photo, found.width, found.height)
            if result.box is None or result.inliers < cfg.photo_min_inliers:
                continue
            box = _clip(result.box, w, h)
            if box[2] - box[0] >= 8 and box[3] - box[1] >= 8 and (
                    found.brand_id not in best or result.inliers > best[found.brand_id][0]):
                best[found.brand_id] = (result.inliers, box)
        return [(brand, np.array(box, np.float32)) for brand, (_, box) in best.items()]


@dataclass(frozen=True)
class _Ranking:
    """Each brand's best window in one photo by one kind of vector, and the two leaders."""

    best: dict[str, float]
    floor: float  # a bound for brands no window's top hits hold
    leaders: tuple[str, ...]

    @classmethod
    def of(cls, rows: BrandRows | None) -> _Ranking:
        if rows is None:
            return cls({}, 0.0, ())
        best = rows.best()
        return cls(best, rows.floor, tuple(sorted(best, key=lambda b: -best[b])[:2]))

    def score(self, brand_id: str) -> float:
        return self.best.get(brand_id, self.floor)

    def margin(self, brand_id: str, score: float, alone: float) -> float:
        """`score` over the best window of any other brand (`alone` when there is none)."""
        rivals = [self.best[other] for other in self.leaders if other != brand_id]
        return score - (rivals[0] if rivals else alone)


def with_photo_margins(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Each candidate with its crop similarity, inlier evidence and crop mid-level
    similarity over the best of any other brand's candidates in the same photo: which brand
    a photo shows is decided between the brands it could show, not by each match alone."""
    def measures(f: CandidateFeatures) -> tuple[float, float, float]:
        return f.crop_sim, inlier_evidence(f.inliers), f.crop_mid_sim

    best: dict[str, np.ndarray] = {}
    for cand in candidates:
        mine = np.array(measures(cand.features))
        best[cand.brand_id] = np.maximum(best[cand.brand_id], mine) if cand.brand_id in best else mine
    out = []
    for cand in candidates:
        rivals = [v for b, v in best.items() if b != cand.brand_id]
        rival = np.max(rivals, axis=0) if rivals else np.zeros(3)
        crop, fit, crop_mid = np.array(measures(cand.features)) - rival
        features = replace(cand.features, photo_crop_margin=float(crop),
                           photo_inlier_margin=float(fit), photo_crop_mid_margin=float(crop_mid))
        out.append(replace(cand, features=features))
    return out


def best_per_brand(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The highest-scoring candidate of each brand, highest first."""
    best: dict[str, Candidate] = {}
    for cand in candidates:
        if cand.brand_id not in best or cand.score > best[cand.brand_id].score:
            best[cand.brand_id] = cand
    return sorted(best.values(), key=lambda c: -c.score)


def _clip(box: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (max(0, x0), max(0, y0), min(w, x1), min(h, y1))
