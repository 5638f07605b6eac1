"""Leave-one-family-out for the text encoder: train without a disguise family, test on it.

Trains one all-families encoder and one encoder per left-out family (shorter schedule than
the shipped model: --steps, default 600; saved under --cache and reused), then measures
each with the encoder alone on the dev titles of that family. See screening/text/lofo.py.

    .venv/bin/python scripts/lofo_text.py --family leet --family misspelling --family punctuation_mask
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.text.evaluation import load_brands, load_titles
from screening.text.lofo import DEV_FAMILY, format_lofo, run_lofo

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", choices=sorted(DEV_FAMILY),
                        help="generator family to leave out (repeat); default: four families")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--cache", type=Path, default=Path("var/lofo-encoders"),
                        help="trained encoders are saved here and reused by later runs")
    parser.add_argument("--brands", type=Path, default=DATA / "brands.tsv")
    parser.add_argument("--titles", type=Path, default=DATA / "dev_titles.tsv")
    args = parser.parse_args(argv)
    families = args.family or ["leet", "misspelling", "punctuation_mask"]
    start = time.perf_counter()
    results = run_lofo(families, args.steps, load_brands(args.brands), load_titles(args.titles),
                       cache=args.cache)
    format_lofo(results, args.steps)
    print(f"({time.perf_counter() - start:.0f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
