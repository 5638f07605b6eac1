"""Load the text evaluation data and compute the issue's metrics."""

from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from screening.index.brand_index import BrandIndex
from screening.types import BrandProfile, Catalogue, Listing, Money, ScreeningInput

BENIGN_FAMILIES = frozenset({"benign", "benign_hard_negative"})
FLAG_THRESHOLD = 0.5


@dataclass(frozen=True)
class TitleRow:
    title: str
    brand: str
    family: str
    price_usd: float | None


def brand_id_for(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "brand"


def load_brands(path: Path) -> list[BrandProfile]:
    """brands.tsv → BrandProfiles (ids are slugs of the names)."""
    out: list[BrandProfile] = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            split = lambda v: tuple(x.strip() for x in (v or "").split("|") if x.strip())  # noqa: E731
            floor = row.get("price_floor_usd") or ""
            out.append(BrandProfile(
                id=brand_id_for(row["name"]), name=row["name"], aliases=split(row["aliases"]),
                product_lines=split(row["product_lines"]), category=row.get("category") or None,
                price_floor=Money(float(floor), "USD") if floor else None))
    return out


def brand_payload(brand: BrandProfile) -> dict[str, Any]:
    """The POST /v1/brands body that registers `brand`."""
    body: dict[str, Any] = {"name": brand.name, "aliases": list(brand.aliases),
                            "product_lines": list(brand.product_lines)}
    if brand.category:
        body["category"] = brand.category
    if brand.price_floor:
        body["price_floor"] = {"amount": brand.price_floor.amount,
                               "currency": brand.price_floor.currency}
    return body


def load_titles(path: Path) -> list[TitleRow]:
    out: list[TitleRow] = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            price = row.get("price_usd") or ""
            out.append(TitleRow(row["title"], row.get("brand") or "", row["family"],
                                float(price) if price else None))
    return out


def catalogue_of(brands: Iterable[BrandProfile], version: int = 1) -> Catalogue:
    return Catalogue({b.id: b for b in brands}, version=version)


def memory_index(signal: object, brands: list[BrandProfile]) -> BrandIndex:
    """An in-memory SQLite brand index with every brand's text vectors registered."""
    from screening.db.tables import Base

    engine = create_engine("sqlite://", connect_args={"check_same_thread": False},
                           poolclass=StaticPool)
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    index = BrandIndex(sessions, Path(tempfile.mkdtemp(prefix="text-index-")))
    signal.open_index(index)  # type: ignore[attr-defined]
    with sessions() as session:
        for brand in brands:
            signal.on_brand_changed(session, index, brand)  # type: ignore[attr-defined]
        session.commit()
    return index


@dataclass
class Outcome:
    row: TitleRow
    score: float
    brand: str | None  # top brand name, None when nothing matched
    detail: str = ""
    decision: str | None = None  # the service's decision when screened through the API

    def flagged(self, threshold: float = FLAG_THRESHOLD) -> bool:
        """Review or block (API), or the signal's top score at the threshold (in process)."""
        if self.decision is not None:
            return self.decision in ("review", "block")
        return self.score >= threshold


@dataclass
class Metrics:
    recall_by_family: dict[str, tuple[int, int]] = field(default_factory=dict)
    benign_flagged: int = 0
    benign_total: int = 0
    right_brand: int = 0
    flagged_infringing: int = 0

    @property
    def recall(self) -> float:
        hit = sum(h for h, _ in self.recall_by_family.values())
        total = sum(t for _, t in self.recall_by_family.values())
        return hit / max(total, 1)

    @property
    def benign_fp_rate(self) -> float:
        return self.benign_flagged / max(self.benign_total, 1)

    @property
    def right_brand_rate(self) -> float:
        return self.right_brand / max(self.flagged_infringing, 1)


def compute_metrics(outcomes: list[Outcome], threshold: float = FLAG_THRESHOLD) -> Metrics:
    metrics = Metrics()
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for out in outcomes:
        flagged = out.flagged(threshold)
        if out.row.family in BENIGN_FAMILIES:
            metrics.benign_total += 1
            metrics.benign_flagged += int(flagged)
            continue
        per[out.row.family][1] += 1
        if flagged:
            per[out.row.family][0] += 1
            metrics.flagged_infringing += 1
            metrics.right_brand += int(out.brand == out.row.brand)
    metrics.recall_by_family = {k: (v[0], v[1]) for k, v in sorted(per.items())}
    return metrics


def run_in_process(signal: object, catalogue: Catalogue, rows: list[TitleRow]) -> list[Outcome]:
    """Screen every row with `signal` alone and keep its top evidence."""
    outcomes: list[Outcome] = []
    for i, row in enumerate(rows):
        price = Money(row.price_usd, "USD") if row.price_usd is not None else None
        item = ScreeningInput(Listing(f"dev-{i}", row.title, price=price), (), catalogue)
        result = signal.evaluate(item)  # type: ignore[attr-defined]
        if result.evidence:
            top = result.evidence[0]
            brand = catalogue.brands[top.brand_id].name
            outcomes.append(Outcome(row, top.score, brand, top.detail))
        else:
            outcomes.append(Outcome(row, 0.0, None))
    return outcomes


def misses(outcomes: list[Outcome], threshold: float = FLAG_THRESHOLD) -> list[tuple[str, Outcome]]:
    """Infringing titles missed or given the wrong brand, and benign titles flagged."""
    out: list[tuple[str, Outcome]] = []
    for item in outcomes:
        flagged = item.flagged(threshold)
        if item.row.family in BENIGN_FAMILIES:
            if flagged:
                out.append(("false positive", item))
        elif not flagged:
            out.append(("missed", item))
        elif item.brand != item.row.brand:
            out.append(("wrong brand", item))
    return out


def format_report(metrics: Metrics, title: str, emit: Callable[[str], None] = print) -> None:
    emit(f"== {title}")
    emit(f"{'family':<24}{'flagged':>9}{'total':>7}{'recall':>8}")
    for family, (hit, total) in metrics.recall_by_family.items():
        emit(f"{family:<24}{hit:>9}{total:>7}{hit / max(total, 1):>8.3f}")
    emit(f"{'ALL infringing':<24}{'':>9}{'':>7}{metrics.recall:>8.3f}")
    emit(f"benign flagged: {metrics.benign_flagged}/{metrics.benign_total} "
         f"= {metrics.benign_fp_rate:.3%}")
    emit(f"right brand on flagged infringing: {metrics.right_brand}/"
         f"{metrics.flagged_infringing} = {metrics.right_brand_rate:.3f}")


def format_calibration(outcomes: list[Outcome], emit: Callable[[str], None] = print) -> None:
    """How well risk reads as a probability: the infringing share of titles per risk bin."""
    edges = (0.0, 0.3, 0.5, 0.7, 0.85, 1.0001)
    emit("== calibration (risk bin: titles, share infringing)")
    for low, high in pairwise(edges):
        inside = [o for o in outcomes if low <= o.score < high]
        if inside:
            share = sum(o.row.family not in BENIGN_FAMILIES for o in inside) / len(inside)
            emit(f"[{low:.2f}, {min(high, 1.0):.2f}){'':<4}{len(inside):>5}  {share:.3f}")
