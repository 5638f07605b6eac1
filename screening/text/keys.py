"""Brand-independent string keys: visual skeletons, loose phonetic keys, pinyin, and the
human-readable reasons that explain why one spelling reads as another."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein

# Multi-letter look-alikes first (TR39-style skeleton on lower-case Latin).
_MULTI = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("ii", "u"), ("nn", "m"))
_SINGLE = str.maketrans({
    "0": "o", "1": "l", "i": "l", "!": "l", "|": "l", "j": "l", "3": "e", "4": "a", "@": "a",
    "5": "s", "$": "s", "7": "t", "8": "b", "9": "g", "u": "n", "v": "n",
})


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """Collapse visually confusable letters so look-alike spellings compare equal."""
    out = text.lower()
    for src, dst in _MULTI:
        out = out.replace(src, dst)
    return out.translate(_SINGLE)


_PHON_RULES = [
    (r"ph", "f"), (r"gh", "g"), (r"ck", "k"), (r"sch", "s"), (r"[cst]ch", "s"), (r"ch", "s"),
    (r"sh", "s"), (r"cc(?=[eiy])", "s"), (r"c(?=[eiy])", "s"), (r"g(?=[eiy])", "j"),
    (r"c", "k"), (r"q", "k"), (r"x", "ks"), (r"z", "s"), (r"v", "f"), (r"w", "f"),
    (r"dj", "j"), (r"h", ""), (r"y", "i"),
]
_PHON_COMPILED = [(re.compile(p), r) for p, r in _PHON_RULES]


@lru_cache(maxsize=65536)
def phonetic(text: str) -> str:
    """A loose sound key: Romance/English spellings of one sound map together, vowel runs
    become 'a', doubled letters collapse, and a trailing vowel or silent final t/s/x drops."""
    word = re.sub(r"[^a-z]", "", text.lower())
    for pattern, repl in _PHON_COMPILED:
        word = pattern.sub(repl, word)
    word = re.sub(r"[aeiou]+", "a", word)
    word = re.sub(r"(.)\1+", r"\1", word)
    return word


@lru_cache(maxsize=65536)
def phonetic_variants(text: str) -> frozenset[str]:
    """The phonetic key plus French-style variants (silent final consonant, trailing vowel)."""
    key = phonetic(text)
    variants = {key}
    if "ch" in text:  # Greek/Italian 'ch' is a hard k (Michael, Chianti)
        variants.add(phonetic(text.replace("ch", "k")))
    if len(key) > 3 and key[-1] in "tsdk" and key[-2] in "a":
        variants.add(key[:-1])
    if len(key) > 3 and key.endswith("a"):
        variants.add(key[:-1])
    return frozenset(v for v in variants if v)


@lru_cache(maxsize=65536)
def pinyin(text: str) -> str:
    """Toneless pinyin of the CJK characters of `text`, joined without spaces."""
    return "".join(p for p in lazy_pinyin(text) if p.isascii() and p.isalpha()).lower()


def tones(text: str) -> str:
    """Tone digits of the CJK characters of `text` ('古驰' → '12')."""
    return "".join(p[-1] if p[-1:].isdigit() else "5"
                   for p in lazy_pinyin(text, style=Style.TONE3) if p.isascii())


_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("q", "c"), ("x", "s"), ("j", "z"),
                   ("ng", "n"))


@lru_cache(maxsize=65536)
def pinyin_loose(text: str) -> str:
    """Pinyin with commonly confused initials merged (zh/z, ch/c/q, sh/s/x)."""
    out = pinyin(text)
    for src, dst in _FUZZY_INITIALS:
        out = out.replace(src, dst)
    return out


# ------------------------------------------------------------------ explanations
_REASON_RULES = [
    ("rn", "m", "rn↔m look-alike"), ("vv", "w", "vv↔w look-alike"), ("cl", "d", "cl↔d look-alike"),
    ("n", "u", "u↔n look-alike"), ("u", "n", "u↔n look-alike"), ("l", "i", "l↔i look-alike"),
    ("1", "i", "1↔i look-alike"), ("1", "l", "1↔l look-alike"), ("0", "o", "0↔o look-alike"),
    ("m", "n", "m↔n look-alike"), ("i", "l", "l↔i look-alike"), ("3", "e", "3↔e leet"),
    ("4", "a", "4↔a leet"), ("5", "s", "5↔s leet"), ("7", "t", "7↔t leet"),
]


def lookalike_reasons(seen: str, key: str) -> list[str]:
    """Name the look-alike swaps that turn `seen` into `key` (both lower-case compact)."""
    reasons: list[str] = []
    base = Levenshtein.distance(seen, key)
    for src, dst, label in _REASON_RULES:
        if (src in seen and dst in key and label not in reasons
                and Levenshtein.distance(seen.replace(src, dst), key) < base):
            reasons.append(label)
    return reasons


def edit_reason(seen: str, key: str) -> str:
    """Describe a misspelling as omission / doubling / swap / substitution."""
    ops = Levenshtein.editops(seen, key)
    kinds = {op.tag for op in ops}
    if kinds == {"insert"}:
        return "letter omitted"
    if kinds == {"delete"}:
        doubled = any(op.src_pos > 0 and seen[op.src_pos] == seen[op.src_pos - 1] for op in ops)
        return "letter doubled" if doubled else "letter added"
    if len(seen) == len(key) and sorted(seen) == sorted(key):
        return "letters swapped"
    return "letters changed"
