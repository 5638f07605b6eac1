"""Chinese nickname patterns, derived from the catalogue by brand-independent rules.

Sellers on Chinese-language marketplaces rarely write a brand's registered Chinese name
in full. The generic patterns read here are each built from what the catalogue holds:

- "house of X" (X家, X牌): X is the first character of a registered Chinese name
  (宝格丽 → 宝家), a Latin capital initial of the brand's name (B家), or a character whose
  pinyin spells one of the brand's Latin codes (驴 lǘ, typed "lv" → LV);
- the diminutive 小 + the first character of a registered Chinese name (香奈儿 → 小香);
- a registered Chinese name with a homophone swapped in and its last syllable replaced by
  a doubled one (name 'abc' written as a homophone of 'ab' plus 'b' again);
- a whole three-character word, not a dictionary word, whose pinyin initials spell a
  registered three-letter code;
- CC-CEDICT translations (screening.text.glossary): a word glossed as a rare one-word
  product line, counted only when a product noun of the brand's category follows it, and
  the tail of a registered Chinese name that holds the translation of a word of the name;
- cognate translations (screening.text.glossary): a word at the head of a run whose
  dictionary parts are glossed, word for word and in any order, by English cognates of
  every word of a French/Italian/Spanish product line ('蓝' blue + '气球' balloon for
  'Ballon Bleu'); a one-word line counts only in the brand's own category;
- transliterations (音译, screening.text.translit): a word at the head of a run, 2-4
  characters, whose toneless pinyin sounds like a brand's Latin name or a rare word of it
  ('ye zi' for a name sounding 'yee-zee'), not a very common Chinese word and not a
  product noun ('表带' watch strap), counted only with a product of the brand's own category;
- a head of a run that starts a longer known word written there is read as that word
  ('菠萝包' is a pineapple bun, not '菠萝' + bag);
- a following 风/款 ("style", "model") makes any of these a style description, which the
  verifier weighs down like "style" after a Latin name.

The list of patterns is small and generic; no nickname of a particular brand is written
here, so a brand registered tomorrow gets the same treatment.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from pypinyin import lazy_pinyin

from screening.text.candidates import Candidate
from screening.text.glossary import (
    cedict_senses,
    cognate_index,
    cognate_translations,
    dictionary_words,
    gloss_keys,
    gloss_rarity,
)
from screening.text.keys import pinyin_loose
from screening.text.lexicon import BrandKey, Lexicon
from screening.text.normalize import Folded, is_cjk
from screening.text.phrases import categories_of
from screening.text.translit import headword_zipf, sound_index, toned, transliterations

HOUSE_SUFFIXES = "家牌"
DIMINUTIVE = "小"
STYLE_SUFFIXES = "风款"
_HOUSE_RE = re.compile(rf"(?<![A-Za-z])([A-Za-z]|[\u3400-\u9fff])([{HOUSE_SUFFIXES}])")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_DIMINUTIVE_RE = re.compile(rf"{DIMINUTIVE}([\u3400-\u9fff])")


@dataclass
class NicknameIndex:
    """Lookups from one nickname stem to the brand keys it can stand for."""

    first_char: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    initial: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    code_homophone: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    # registered three-letter codes, for a word whose pinyin initials spell one ('ysl')
    code_initials: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))
    # toneless pinyin of a registered name less its last syllable, for reduplicated endings
    redup_stem: dict[str, list[BrandKey]] = field(default_factory=lambda: defaultdict(list))


def _char_pinyin(ch: str) -> str:
    """Toneless pinyin of one character with ü typed as v, the way sellers' keyboards spell it."""
    spoken = lazy_pinyin(ch, v_to_u=False)
    return spoken[0].lower() if spoken and spoken[0].isascii() else ""


@lru_cache(maxsize=1)
def _chars_by_pinyin() -> dict[str, tuple[str, ...]]:
    """Common CJK characters grouped by their toneless pinyin (built once per process)."""
    table: dict[str, list[str]] = defaultdict(list)
    for code in range(0x4E00, 0x9FA6):
        spoken = _char_pinyin(chr(code))
        if spoken:
            table[spoken].append(chr(code))
    return {k: tuple(v) for k, v in table.items()}


def build_index(lex: Lexicon) -> NicknameIndex:
    """Compile (and cache on the lexicon) the nickname stems of every brand."""
    cached = lex.extras.get("nicknames")
    if cached is not None:
        return cast(NicknameIndex, cached)
    index = NicknameIndex()
    by_brand: dict[str, list[BrandKey]] = defaultdict(list)
    for key in lex.keys:
        by_brand[key.brand_id].append(key)
    codes: dict[str, list[BrandKey]] = defaultdict(list)
    for key in lex.keys:  # codes the owner registered, not initialisms derived by rule
        if key.kind == "code" and key.compact.isalpha() and 2 <= len(key.compact) <= 3:
            codes[key.compact].append(key)
    for keys in by_brand.values():
        for key in keys:
            stems = index.first_char[key.compact[0]] if key.kind == "cjk" else None
            if stems is not None and is_cjk(key.compact[0]) and key not in stems:
                stems.append(key)
            if key.kind == "cjk" and len(key.compact) >= 3 and all(map(is_cjk, key.compact)):
                index.redup_stem[pinyin_loose(key.compact[:-1])].append(key)
        name_key = next((k for k in keys if k.kind == "name"), None)
        if name_key is not None and name_key.compact[:1].isalpha():
            index.initial[name_key.compact[0]].append(name_key)
    for code, keys in codes.items():
        if len(code) == 3:
            index.code_initials[code].extend(keys)
    # A character is a homophone of a code when its pinyin spells the code exactly ('lv').
    table = _chars_by_pinyin()
    for code, keys in codes.items():
        for ch in table.get(code, ()):
            index.code_homophone[ch].extend(keys)
    lex.extras["nicknames"] = index
    return index


def _styled(text: str, end: int) -> bool:
    return end < len(text) and text[end] in STYLE_SUFFIXES


def _product_follows(lex: Lexicon, key: BrandKey, rest: str) -> bool:
    """Whether the characters right after a word name a product of the brand's category."""
    category = lex.brands[key.brand_id].category
    return bool(category) and any(category in categories_of(rest[:n]) for n in (1, 2, 3))


def _inside_word(chars: str, size: int) -> bool:
    """Whether the head `chars[:size]` starts a longer word written there, one known to
    CC-CEDICT or wordfreq ('菠萝包' is a pineapple bun, not '菠萝' + bag): the longest wins."""
    words = dictionary_words()
    return any(chars[:n] in words or headword_zipf(chars[:n]) > 0
               for n in range(size + 1, min(len(chars), size + 3) + 1))


@lru_cache(maxsize=4096)
def names_a_product(word: str) -> bool:
    """Whether a word is itself a product noun: it holds a product character ('表带' holds
    表, watch) or CC-CEDICT glosses it as one ('watchband', 'shoelace'). Such a word
    describes the item; it is not a brand written for its sound."""
    if any(categories_of(word[i : i + n]) for n in (1, 2, 3) for i in range(len(word) - n + 1)):
        return True
    for sense in cedict_senses().get(word, ()):
        for gloss_word in re.findall(r"[a-z]+", sense.lower()):
            if categories_of(gloss_word) or any(
                    categories_of(gloss_word[:n]) or categories_of(gloss_word[-n:])
                    for n in range(4, len(gloss_word) - 2)):
                return True
    return False


def nickname_candidates(lex: Lexicon, folded: Folded) -> list[Candidate]:
    """Candidates for the nickname patterns in the folded text."""
    text = folded.text
    if not any(is_cjk(c) for c in text):
        return []
    index = build_index(lex)
    out: list[Candidate] = []

    def emit(key: BrandKey, method: str, start: int, end: int, reason: str,
             score: float = 1.0) -> None:
        s, e = folded.span(start, end)
        disguises = {"nickname"} | ({"style"} if _styled(text, end) else set())
        out.append(Candidate(key.brand_id, key, method, start, end, folded.original[s:e], score,
                             [reason], disguises))

    for match in _HOUSE_RE.finditer(text):
        stem, suffix = match.group(1), match.group(2)
        start, end = match.span()
        if stem.isascii():
            s, _ = folded.span(match.start(1), match.end(1))
            if not folded.original[s].isupper():
                continue
            for key in index.initial.get(stem.lower(), []):
                emit(key, "cjk_initial_house", start, end,
                     f"'{stem.upper()}{suffix}' is 'house of {stem.upper()}' ({key.display}'s initial)")
            continue
        for key in index.first_char.get(stem, []):
            emit(key, "cjk_nickname", start, end,
                 f"'{stem}{suffix}' is 'house of {stem}', from the Chinese name {key.display}")
        for key in index.code_homophone.get(stem, []):
            emit(key, "cjk_homophone", start, end,
                 f"'{stem}' is read '{_char_pinyin(stem)}', i.e. {key.display}")
    for run in _CJK_RUN.finditer(text):
        chars = run.group(0)
        for i in range(1, len(chars) - 1):  # a doubled syllable: 'ab' + 'b' for the name 'abc'
            if chars[i + 1] != chars[i]:
                continue
            for size in range(3, min(6, len(chars)) + 1):
                start = i + 2 - size
                if start < 0:
                    continue
                stem = chars[start : i + 1]
                for key in index.redup_stem.get(pinyin_loose(stem), []):
                    if len(key.compact) == size and chars[start : i + 2] != key.compact:
                        emit(key, "cjk_homophone", run.start() + start, run.start() + i + 2,
                             f"'{chars[start : i + 2]}' sounds like {key.display}, "
                             "its last syllable doubled", score=0.85)
    for run in _CJK_RUN.finditer(text):  # a whole word spelling a code by its initials
        word = run.group(0)
        if len(word) != 3 or word in dictionary_words():
            continue
        initials = "".join(_char_pinyin(ch)[:1] for ch in word)
        for key in index.code_initials.get(initials, []):
            emit(key, "cjk_initials", run.start(), run.end(),
                 f"the pinyin initials of '{word}' spell {key.display}", score=0.8)
    glossed = gloss_keys(lex)
    if glossed:
        for run in _CJK_RUN.finditer(text):
            chars = run.group(0)
            for size in range(2, min(5, len(chars)) + 1):
                for i in range(len(chars) - size + 1):
                    word = chars[i : i + size]
                    for key in glossed.get(word, []):
                        if key.kind != "cjk":
                            if not _product_follows(lex, key, chars[i + size :]):
                                continue  # a translated line counts only as a product's name
                            emit(key, "cjk_gloss", run.start() + i, run.start() + i + size,
                                 f"'{word}' translates the product line {key.display}",
                                 score=0.8)
                        elif word == chars:  # a shortened name only as a word of its own
                            emit(key, "cjk_nickname", run.start(), run.end(),
                                 f"'{word}' is short for the Chinese name {key.display}",
                                 score=0.8)
    sounds = sound_index(lex)
    for run in _CJK_RUN.finditer(text):  # a word chosen for its sound (音译): 'ye zi' for 'Yeezy'
        chars = run.group(0)
        for size in range(2, min(4, len(chars)) + 1):
            word = chars[:size]  # the run itself, or its head when a product noun follows
            if _inside_word(chars, size) or names_a_product(word):
                continue
            for entry in transliterations(sounds, word):
                if size < len(chars) and not _product_follows(lex, entry.key, chars[size:]):
                    continue
                emit(entry.key, "cjk_transliteration", run.start(), run.start() + size,
                     f"'{word}' ({toned(word)}) sounds like '{entry.word}' (transliteration)",
                     score=0.9)
    cognates = cognate_index(lex)
    for run in _CJK_RUN.finditer(text) if cognates.lines else ():
        chars = run.group(0)  # a line translated by meaning: 'blue balloon' for 'Ballon Bleu'
        for size in range(2, min(5, len(chars)) + 1):
            word = chars[:size]
            if _inside_word(chars, size):
                continue
            for line, read in cognate_translations(cognates, word):
                if size < len(chars) and not _product_follows(lex, line.key, chars[size:]):
                    continue
                emit(line.key, "cjk_cognate", run.start(), run.start() + size,
                     f"'{word}' translates as '{' '.join(read)}', a cognate of the product "
                     f"line {line.key.display}", score=gloss_rarity(read))
    for match in _DIMINUTIVE_RE.finditer(text):
        stem = match.group(1)
        for key in index.first_char.get(stem, []):
            emit(key, "cjk_nickname", match.start(), match.end(),
                 f"'{DIMINUTIVE}{stem}' is the diminutive of the Chinese name {key.display}")
    return out
