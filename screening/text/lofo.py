"""Leave-one-family-out: does the encoder read a disguise family it never saw in training?

For each generator family F, two encoders are trained with the same (shorter) schedule: one
on every family, one without F. Both are then measured on the dev titles of F's family with
the encoder alone (rules off), so the rules cannot hide what the model learned:

- retrieval: the right brand is among the encoder's candidates (above its threshold);
- flagged: the encoder-only signal scores the right brand at 0.5 or more;
- signal without: the whole text signal (rules + the encoder trained without F), flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.text_encoder import CharEncoder
from screening.text.evaluation import TitleRow, catalogue_of, memory_index
from screening.text.signal import TextSignal
from screening.text.training import TrainConfig, train
from screening.types import BrandProfile, Listing, Money, ScreeningInput

# Generator family → the dev-title family it imitates.
DEV_FAMILY = {
    "case_spacing": "case_spacing",
    "punctuation_mask": "punctuation_mask",
    "homoglyph": "homoglyph_unicode",
    "styled": "styled_unicode",
    "leet": "leet",
    "misspelling": "misspelling",
    "phonetic": "phonetic",
    "truncation": "truncation",
    "lookalike": "reduplication_visual",
    "invisible": "invisible_chars",
}


@dataclass(frozen=True)
class FamilyScore:
    titles: int
    retrieved: int
    flagged: int


def encoder_only_scores(encoder: CharEncoder, brands: list[BrandProfile],
                        rows: list[TitleRow], rules: bool = False) -> FamilyScore:
    """Retrieval and flagged counts of the encoder alone (or with the rules) on `rows`."""
    signal = TextSignal(encoder, rules=rules)
    memory_index(signal, brands)
    catalogue = catalogue_of(brands)
    by_name = {b.name: b.id for b in brands}
    retrieved = flagged = 0
    for i, row in enumerate(rows):
        price = Money(row.price_usd, "USD") if row.price_usd is not None else None
        item = ScreeningInput(Listing(f"lofo-{i}", row.title, price=price), (), catalogue)
        evidence = signal.evaluate(item).evidence
        want = by_name.get(row.brand)
        mine = [e for e in evidence if e.brand_id == want]
        retrieved += bool(mine)
        flagged += bool(evidence) and evidence[0].brand_id == want and evidence[0].score >= 0.5
    return FamilyScore(len(rows), retrieved, flagged)


def trained(config: TrainConfig, cache: Path | None, log: Callable[[str], None]) -> CharEncoder:
    """Train `config`, or load it from `cache` when an earlier run saved it there."""
    name = f"steps{config.steps}-seed{config.seed}-without-{'-'.join(config.exclude) or 'none'}"
    if cache is not None and (cache / name / "model.safetensors").is_file():
        log(f"loaded {name} from {cache}")
        return CharEncoder.load(cache / name)
    model, _ = train(config, log=lambda _: None)
    log(f"trained {name}")
    if cache is not None:
        model.save(cache / name)
    return model


def run_lofo(families: list[str], steps: int, brands: list[BrandProfile],
             rows: list[TitleRow], cache: Path | None = None,
             log: Callable[[str], None] = print) -> list[tuple[str, FamilyScore, FamilyScore, FamilyScore]]:
    """(family, encoder with F, encoder without F, rules + encoder without F) per family."""
    baseline = trained(TrainConfig(steps=steps), cache, log)
    out = []
    for family in families:
        dev_rows = [r for r in rows if r.family == DEV_FAMILY[family]]
        held = trained(TrainConfig(steps=steps, exclude=(family,)), cache, log)
        out.append((family, encoder_only_scores(baseline, brands, dev_rows),
                    encoder_only_scores(held, brands, dev_rows),
                    encoder_only_scores(held, brands, dev_rows, rules=True)))
    return out


def format_lofo(results: list[tuple[str, FamilyScore, FamilyScore, FamilyScore]], steps: int,
                emit: Callable[[str], None] = print) -> None:
    emit(f"== leave-one-family-out, {steps} training steps per encoder; encoder alone (rules off) "
         "and the whole text signal with the encoder that never saw the family")
    emit(f"{'left out':<18}{'dev family':<22}{'n':>4}  {'retrieved with/without':>22}"
         f"  {'flagged with/without':>20}  {'signal without':>14}")
    for family, with_f, without, system in results:
        n = with_f.titles
        emit(f"{family:<18}{DEV_FAMILY[family]:<22}{n:>4}  "
             f"{with_f.retrieved / n:>10.2f} / {without.retrieved / n:<9.2f}"
             f"  {with_f.flagged / n:>8.2f} / {without.flagged / n:<9.2f}"
             f"  {system.flagged / n:>14.2f}")
