"""Train the character-level text encoder on synthetic disguise pairs.

Names are synthetic (dictionary words and invented syllable words), never the catalogue or
the dev titles; a fixed seed makes the run reproducible; one CPU thread.

    .venv/bin/python scripts/train_text_encoder.py                       # shipped weights
    .venv/bin/python scripts/train_text_encoder.py --exclude leet --steps 800 --out /tmp/enc
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.text_encoder import DEFAULT_DIR
from screening.text.synth import FAMILIES
from screening.text.training import TrainConfig, train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = TrainConfig()
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR, help="weights directory")
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--names", type=int, default=defaults.names)
    parser.add_argument("--exclude", action="append", default=[], choices=FAMILIES,
                        metavar="FAMILY", help=f"leave a generator out (one of {', '.join(FAMILIES)})")
    args = parser.parse_args(argv)
    config = TrainConfig(steps=args.steps, seed=args.seed, names=args.names,
                         exclude=tuple(args.exclude))
    model, metrics = train(config)
    model.save(args.out)
    (args.out / "training_metrics.json").write_text(json.dumps(
        {"config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(config).items()},
         "metrics": metrics}, indent=2) + "\n")
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
