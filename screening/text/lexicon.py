"""Compile a `Catalogue` into lookup structures for candidate generation.

Everything brand-specific comes from the catalogue: names, aliases (including Chinese
names and nicknames when an owner registers them), product lines, category and price
floor. Derived keys (initialisms, doubled initials, pinyin of Chinese aliases) are made by
brand-independent rules, so a brand registered tomorrow gets them too.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from screening.text.keys import phonetic_variants, pinyin, pinyin_loose, skeleton
from screening.text.normalize import fold, is_cjk
from screening.text.phrases import categories_of, word_set, zipf
from screening.types import BrandProfile, Catalogue

# Corporate and place suffixes do not make initialisms ('Samsung Electronics' is not 'SE').
_SUFFIXES = word_set(
    "inc sa ag co ltd llc gmbh spa electronics paris london milano milan new york worldwide "
    "jewelry jeans brand athletica athleticwear australia kids baby 1913 essentials"
)

# Standard abbreviations of words inside names (brand-independent English/French usage).
ABBREVIATIONS = {"saint": "st", "sainte": "ste", "mount": "mt", "doctor": "dr", "and": "n",
                 "company": "co", "brothers": "bros"}

# Conversion to USD for price context (rough, static; unknown currencies are ignored).
USD_PER = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "CAD": 0.73,
    "AUD": 0.66,
    "JPY": 0.0067,
    "CNY": 0.14,
    "RMB": 0.14,
    "HKD": 0.13,
    "CHF": 1.13,
    "SGD": 0.74,
    "KRW": 0.00075,
    "INR": 0.012,
    "MXN": 0.055,
    "BRL": 0.19,
    "SEK": 0.095,
    "PLN": 0.25,
    "TRY": 0.03,
}


@dataclass(frozen=True)
class BrandKey:
    """One way of writing a brand: its display text, compact form and kind."""

    brand_id: str
    display: str
    compact: str  # folded letters/digits, no spaces ('louisvuitton')
    words: tuple[str, ...]  # folded words ('louis', 'vuitton')
    kind: str  # name | alias | line | code | derived | monogram | initial | pinyin | cjk
    commonness: float  # zipf of the key read as ordinary words (0 = not a word)


@dataclass
class BrandInfo:
    profile: BrandProfile
    floor_usd: float | None
    category: str | None
    prior: float  # log price floor: counterfeiters copy valuable brands first


@dataclass
class Lexicon:
    """Per-catalogue compiled keys; build once per `Catalogue.version`."""

    version: int
    brands: dict[str, BrandInfo] = field(default_factory=dict)
    keys: list[BrandKey] = field(default_factory=list)
    by_compact: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    by_skeleton: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    by_phonetic: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    initials: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    cjk: list[BrandKey] = field(default_factory=list)
    cjk_pinyin: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    fuzzy_keys: list[BrandKey] = field(default_factory=list)  # names/aliases open to fuzzing
    fuzzy_skeletons: list[str] = field(default_factory=list)
    max_words: int = 1
    extras: dict[str, object] = field(default_factory=dict)  # caches owned by other stages

    def display_name(self, brand_id: str) -> str:
        return self.brands[brand_id].profile.name


def _words(text: str) -> tuple[str, ...]:
    folded = fold(text).text
    return tuple(w for w in re.split(r"[^0-9a-z\u3400-\u9fff]+", folded) if w)


def _commonness(words: tuple[str, ...]) -> float:
    if not words:
        return 0.0
    if len(words) == 1:
        return zipf(words[0])
    # independent-words estimate of the phrase's frequency, lifted for real collocations
    return max(0.0, sum(zipf(w) for w in words) - 7.0 * (len(words) - 1))


def to_usd(amount: float, currency: str) -> float | None:
    rate = USD_PER.get(currency.upper())
    return None if rate is None else amount * rate


def _derived_codes(name: str, aliases: tuple[str, ...]) -> set[str]:
    """Initialisms of multi-word names ('Bottega Veneta' → 'bv') and '&' forms ('dg')."""
    codes: set[str] = set()
    for text in (name, *aliases):
        if any(is_cjk(c) for c in text):
            continue
        parts = [p for p in re.split(r"[\s\-&·./]+", fold(text).text) if p and p[0].isalnum()]
        if text != name and parts and parts[-1] in _SUFFIXES:
            continue
        if len(parts) >= 2:
            codes.add("".join(p[0] for p in parts))
    return {c for c in codes if 2 <= len(c) <= 4}


def _add(lex: Lexicon, key: BrandKey) -> None:
    lex.keys.append(key)
    if key.kind == "cjk":
        lex.cjk.append(key)
        loose = pinyin_loose(key.display)
        if len(loose) >= 4:
            lex.cjk_pinyin[loose].append(key)
        return
    if key.kind in ("code", "derived", "monogram"):
        lex.codes[key.compact].append(key)
        return
    if key.kind == "initial":
        lex.initials[key.compact].append(key)
        return
    lex.by_compact[key.compact].append(key)
    lex.max_words = max(lex.max_words, len(key.words))
    if len(key.compact) >= 4:
        lex.by_skeleton[skeleton(key.compact)].append(key)
    if key.kind in ("name", "alias") and len(key.compact) >= 4:
        for variant in phonetic_variants(key.compact):
            if len(variant) >= 3:
                lex.by_phonetic[variant].append(key)
        lex.fuzzy_keys.append(key)
        lex.fuzzy_skeletons.append(skeleton(key.compact))
    elif key.kind == "pinyin":
        for variant in phonetic_variants(key.compact):
            if len(variant) >= 4:
                lex.by_phonetic[variant].append(key)


def brand_keys(brand: BrandProfile) -> list[BrandKey]:
    """Every key of one brand: registered texts plus rule-derived codes and pinyin."""
    keys: list[BrandKey] = []
    seen: set[tuple[str, str]] = set()

    def push(display: str, kind: str) -> None:
        words = _words(display)
        compact = "".join(words)
        if not compact:
            return
        if any(is_cjk(c) for c in compact):
            kind = "cjk"
            compact = "".join(c for c in display if is_cjk(c))
        elif kind in ("name", "alias") and len(compact) <= 3:
            kind = "code"
        if any(c == compact and k in ("code", "name", "alias") for c, k in seen) and kind in ("derived", "monogram"):
            return
        if (compact, kind) in seen:
            return
        seen.add((compact, kind))
        keys.append(BrandKey(brand.id, display, compact, words, kind, _commonness(words)))

    push(brand.name, "name")
    for alias in brand.aliases:
        push(alias, "alias")
    for text in (brand.name, *brand.aliases):  # 'Yves Saint Laurent' → 'Yves St Laurent'
        words = _words(text)
        if any(w in ABBREVIATIONS for w in words):
            short = text
            for word, abbreviation in ABBREVIATIONS.items():
                short = re.sub(rf"\b{word}\b", abbreviation.capitalize(), short, flags=re.IGNORECASE)
            push(short, "alias")
    latin = {k.compact for k in keys}
    for alias in brand.aliases:
        if any(is_cjk(c) for c in alias):
            spoken = pinyin(alias)
            if len(spoken) >= 4 and spoken not in latin:  # '芬迪' is 'fendi': the name says it
                keys.append(BrandKey(brand.id, alias, spoken, (spoken,), "pinyin", 0.0))
    for line in brand.product_lines:
        push(line, "line")
        line_words = _words(line)
        for word in line_words[:1]:  # a registered monogram opening a line: 'GG Marmont'
            if 2 <= len(word) <= 3 and word.isalpha() and len(line_words) > 1:
                original = re.search(re.escape(word), line, re.IGNORECASE)
                if original and original.group(0).isupper():
                    push(word.upper(), "code")
        for word in _words(line):  # a rare word of a multi-word line: 'Marmont'
            if (
                word not in latin
                and len(word) >= 5
                and word.isalpha()
                and len(_words(line)) > 1
                and zipf(word) < 3.0
                and not categories_of(word)
            ):
                push(word, "line")
    for code in _derived_codes(brand.name, brand.aliases):
        push(code.upper(), "derived")
    name_words = _words(brand.name)
    if len(name_words) == 1 and len(name_words[0]) >= 4 and name_words[0][0].isalpha():
        initial = name_words[0][0]
        push((initial * 2).upper(), "monogram")  # doubled initial monogram: 'GG', 'CC'
        keys.append(BrandKey(brand.id, initial.upper(), initial, (initial,), "initial", 0.0))
    return keys


def compile_catalogue(catalogue: Catalogue) -> Lexicon:
    """Build the lexicon for one catalogue snapshot."""
    lex = Lexicon(version=catalogue.version)
    for brand in catalogue.brands.values():
        floor = None
        if brand.price_floor is not None:
            floor = to_usd(brand.price_floor.amount, brand.price_floor.currency)
        prior = math.log10(max(floor or 100.0, 1.0))
        category = (brand.category or "").strip().lower() or None
        lex.brands[brand.id] = BrandInfo(brand, floor, category, prior)
        for key in brand_keys(brand):
            _add(lex, key)
    return lex
