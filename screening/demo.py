"""The demo catalogue: brands with aliases, product lines and floors, plus simple-icons marks."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import structlog
from sqlalchemy import select

from screening.brands import BrandSpec, MoneySpec, create_brand, to_profile
from screening.db.tables import BrandRow
from screening.keys import BOOTSTRAP_KEY_ID, Principal
from screening.marks import add_mark
from screening.service import Service
from screening.settings import Settings
from screening.types import Role

log = structlog.get_logger(__name__)

_CATALOGUE_NAME = Path("data") / "demo" / "brands.tsv"


def demo_catalogue() -> Path:
    """The shipped catalogue: beside the source tree, or under the working directory."""
    beside_source = Path(__file__).resolve().parent.parent / _CATALOGUE_NAME
    return beside_source if beside_source.exists() else Path.cwd() / _CATALOGUE_NAME


def read_catalogue(path: Path) -> list[BrandSpec]:
    """Brand specs from a TSV with name, aliases, product_lines, category, price_floor_usd."""
    specs = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            floor = row.get("price_floor_usd") or ""
            specs.append(
                BrandSpec(
                    name=row["name"],
                    aliases=[a for a in (row.get("aliases") or "").split("|") if a.strip()],
                    product_lines=[p for p in (row.get("product_lines") or "").split("|") if p.strip()],
                    category=row.get("category") or None,
                    price_floor=MoneySpec(amount=float(floor), currency="USD") if floor else None,
                )
            )
    return specs


def icon_svg(name: str) -> bytes | None:
    """The simple-icons mark of a brand, when the pack has one under the obvious slug."""
    import simple_icons_pack

    slug = re.sub(r"[^a-z0-9]", "", name.lower().replace("&", "and"))
    icon = simple_icons_pack.get_icon(slug)
    return icon.svg.encode() if icon is not None else None


def load_demo(settings: Settings, catalogue: Path | None = None) -> dict[str, int]:
    """Create every catalogue brand that does not exist yet, with its simple-icons mark."""
    service = Service.create(settings)
    admin = Principal(BOOTSTRAP_KEY_ID, Role.ADMIN)
    created = marks = 0
    try:
        service.load()
        specs = read_catalogue(catalogue or demo_catalogue())
        with service.sessions() as session, session.begin():
            existing = set(session.scalars(select(BrandRow.name)))
        for spec in specs:
            if spec.name in existing:
                continue
            with service.sessions() as session, session.begin():
                row = create_brand(session, spec, admin)
                for indexer in service.brand_indexers:
                    indexer.on_brand_changed(session, service.index, to_profile(row))
                svg = icon_svg(spec.name)
                if svg is not None:
                    add_mark(
                        session, brand_id=row.id, kind="logo", data=svg,
                        filename=f"{spec.name}.svg", principal=admin, settings=settings,
                        store=service.store, index=service.index, indexers=service.mark_indexers,
                    )
                    marks += 1
            created += 1
        log.info("demo.loaded", brands=created, marks=marks)
        return {"brands created": created, "brands already present": len(existing), "marks": marks}
    finally:
        service.close()
