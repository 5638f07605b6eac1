"""Transliteration keys: how a Latin brand name sounds when written in Chinese characters.

Chinese sellers often write a foreign name with characters chosen for their sound (音译),
frequently everyday words whose pinyin happens to resemble the name. Both sides are
reduced to one coarse sound alphabet:

- Latin: a few English/French/Italian spelling rules ('ph'→f, soft c/g, 'ee'→i, silent final
  e), then the codas Mandarin drops (r before a consonant or at the end; optionally a final
  d/t/s), consonants folded into transliteration classes (b/p, d/t, g/k, l/r, the sibilants);
- pinyin (toneless, from pypinyin): the same classes, with the 'bare consonant' syllables
  transliterators use for a lone consonant (si, zi, shi, te, de, ke, er) reduced to it.

A window of characters reads as the name when the consonant skeletons are equal and the
whole strings (vowels included) are near; the caller adds the context rules. Nothing here
names a brand: every key is computed from the catalogue's own Latin names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein
from wordfreq import freq_to_zipf, get_frequency_dict

from screening.text.lexicon import BrandKey, Lexicon
from screening.text.phrases import word_set, zipf

# words of names that are places or company forms, not the name itself
_GENERIC = word_set("maison paris london milano milan york company group studio house")

# consonant classes Mandarin transliteration treats as one sound
_CLASS = str.maketrans({
    "b": "b", "p": "b", "d": "d", "t": "d", "g": "g", "k": "g", "f": "f", "v": "w", "w": "w",
    "m": "m", "n": "n", "l": "l", "r": "l", "h": "h", "y": "y", "s": "s", "z": "s", "j": "s",
    "x": "s", "q": "s", "c": "s",
})
VOWELS = frozenset("aeiou")
_LATIN_RULES = [
    (r"[^a-z]", ""), (r"ph", "f"), (r"gh", "g"), (r"ck", "k"), (r"sch", "s"), (r"th", "t"),
    (r"ch", "s"), (r"sh", "s"), (r"qu", "k"), (r"q", "k"), (r"x", "ks"),
    (r"c(?=[eiy])", "s"), (r"c", "k"), (r"g(?=[eiy])", "j"),
    (r"(.)\1+", r"\1"),
    (r"ee|ea|ie$|ey$", "i"), (r"oo|ou", "u"), (r"ai|ay", "e"), (r"au|eau", "o"),
    (r"(?<=[a-z])y(?![aeiou])", "i"), (r"^y(?![aeiou])", "i"),
    (r"(?<=[^aeiou])e$", ""),
]
_LATIN_COMPILED = [(re.compile(p), r) for p, r in _LATIN_RULES]
# pinyin finals by their nucleus, the vowel a Latin spelling shows ('gao' is 'ga', 'gou' 'go')
_FINALS = {
    "a": "a", "ai": "a", "ao": "a", "an": "an", "ang": "an", "o": "o", "ou": "o", "ong": "on",
    "e": "e", "ei": "e", "en": "en", "eng": "en", "er": "er", "i": "i", "ia": "a", "ie": "e",
    "iao": "a", "iu": "o", "ian": "en", "in": "in", "iang": "an", "ing": "in", "iong": "on",
    "u": "u", "ua": "a", "uo": "o", "uai": "a", "ui": "e", "uan": "an", "un": "en",
    "uang": "an", "v": "i", "ve": "e", "van": "an", "vn": "in", "ue": "e",
}
_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q",
             "x", "r", "z", "c", "s", "y", "w")
_BARE = {"si": "s", "zi": "s", "ci": "s", "shi": "s", "zhi": "s", "chi": "s", "ri": "l",
         "te": "t", "de": "d", "ke": "k", "ge": "g", "le": "l", "er": "l", "fu": "f"}


def _vowel_runs(text: str) -> str:
    """Each run of vowels reduced to its last, the nucleus after a glide ('ia' → 'a')."""
    return re.sub(r"[aeiou]{2,}", lambda m: m.group(0)[-1], text)


@lru_cache(maxsize=4096)
def latin_sound(word: str) -> str:
    """A Latin word spelt by ear ('goyard' → 'goiar' style): lower-case sound letters."""
    if " " in word:  # a name of several words is spelt word by word ('tag heuer')
        return "".join(latin_sound(w) for w in word.split())
    out = word.lower()
    for pattern, repl in _LATIN_COMPILED:
        out = pattern.sub(repl, out)
    return out


@lru_cache(maxsize=4096)
def latin_keys(word: str) -> frozenset[str]:
    """Sound strings of a Latin word with the codas Mandarin drops dropped (variants)."""
    base = latin_sound(word)
    if len(base) < 3:
        return frozenset()
    no_r = re.sub(r"(?<=[aeiou])r(?=[^aeiou]|$)", "", base)
    variants = {base, no_r}
    for text in (base, no_r):
        if len(text) > 3 and text[-1] in "dts" and text[-2] not in VOWELS | {"n"}:
            variants.add(text[:-1])
        if len(text) > 3 and text[-1] in "dtsk" and text[-2] in VOWELS:
            variants.add(text[:-1])
    return frozenset(_vowel_runs(v) for v in variants if len(v) >= 3)


def _syllable_sound(syllable: str, bare: bool, ai_e: bool = False) -> str:
    lone = _BARE.get(syllable) if bare else None
    if lone is not None:
        return lone
    initial = next((i for i in _INITIALS if syllable.startswith(i)), "")
    final = syllable[len(initial):]
    if initial == "y":  # a glide: 'ya' is i+a, 'yi'/'yu' the vowel alone
        initial, final = ("", final) if final[:1] in ("i", "u") else ("y", final)
        final = "v" + final[1:] if syllable.startswith("yu") else final
    elif initial == "w":
        initial, final = ("", final) if final[:1] == "u" else ("w", final)
    elif initial in ("j", "q", "x") and final[:1] == "u":
        final = "v" + final[1:]  # 'ju' is jü
    if initial in ("zh", "ch", "sh"):
        initial = "s"
    if ai_e and final in ("ai", "uai"):
        return initial + "e"  # transliterations write an English /e/ as 'ai' (赛 for 'Ce')
    return initial + _FINALS.get(final, final)


@lru_cache(maxsize=65536)
def pinyin_sounds(syllables: tuple[str, ...]) -> tuple[str, ...]:
    """Sound strings of toneless pinyin syllables ('gou', 'ya' → 'goya'): as written, with
    the lone-consonant syllables (si, te, de, er ...) reduced to their consonant, and with
    'ai' read as the /e/ it often spells."""
    out = [_vowel_runs("".join(_syllable_sound(s, bare, ai_e) for s in syllables))
           for ai_e in (False, True) for bare in (False, True)]
    return tuple(dict.fromkeys(out))


def skeleton(sound: str) -> str:
    """Consonant classes of a sound string, vowels dropped ('goya' → 'gy')."""
    return "".join(c for c in sound if c not in VOWELS).translate(_CLASS)


def classes(sound: str) -> str:
    """The whole sound string with consonants folded into their classes."""
    return sound.translate(_CLASS)


def similarity(a: str, b: str) -> float:
    """Normalised similarity of two sound strings, consonants compared by class."""
    return Levenshtein.normalized_similarity(classes(a), classes(b))


# ------------------------------------------------------------------ catalogue keys
MIN_SOUND = 4  # 'yezi': shorter sound strings match too many ordinary words
MAX_WORD_ZIPF = 3.5  # an ordinary word as a name is translated by sellers, not spelt by ear
# a word this common in Chinese ('皮革' leather, '客人' guest) is read as itself, not as a name
MAX_HEADWORD_ZIPF = 3.7
MIN_SIMILARITY = 0.99  # class strings equal: the alphabet above is already coarse


@dataclass(frozen=True)
class SoundKey:
    """One Latin word of a brand as a transliteration would sound."""

    key: BrandKey
    word: str  # the Latin word as the catalogue writes it ('Goyard')
    sound: str  # one of its sound strings ('goya')


def _latin_words(key: BrandKey) -> list[tuple[str, str]]:
    """(folded word, word as written) pairs worth a transliteration key: the whole name
    unless it is an ordinary word, and each rare word of a multi-word name."""
    shown = [w for w in re.split(r"[\s\-&·./]+", key.display) if w]
    out: list[tuple[str, str]] = []
    if key.compact.isalpha() and zipf(key.compact) < MAX_WORD_ZIPF:
        out.append((" ".join(key.words), key.display))
    if len(key.words) > 1:
        for i, word in enumerate(key.words):
            seen = shown[i] if len(shown) == len(key.words) else word
            if len(word) >= 5 and word.isalpha() and zipf(word) < MAX_WORD_ZIPF:
                out.append((word, seen))
    return out


def sound_index(lex: Lexicon) -> dict[str, list[SoundKey]]:
    """Consonant skeleton → the catalogue's sound keys (compiled once per lexicon)."""
    cached = lex.extras.get("translit")
    if cached is not None:
        return cast(dict[str, list[SoundKey]], cached)
    index: dict[str, list[SoundKey]] = defaultdict(list)
    for key in lex.keys:
        if key.kind not in ("name", "alias") or not key.compact.isascii():
            continue
        for word, shown in _latin_words(key):
            if word in _GENERIC:
                continue
            for sound in latin_keys(word):
                if len(sound) >= MIN_SOUND and len(set(skeleton(sound))) >= 2:
                    entry = SoundKey(key, shown, sound)
                    if entry not in index[skeleton(sound)]:
                        index[skeleton(sound)].append(entry)
    lex.extras["translit"] = index
    return index


@lru_cache(maxsize=1)
def _zh_frequencies() -> dict[str, float]:
    try:
        return cast(dict[str, float], get_frequency_dict("zh"))
    except (LookupError, OSError, ValueError):
        return {}


def headword_zipf(word: str) -> float:
    """Zipf frequency of a Chinese word in wordfreq's table (0 when unknown)."""
    freq = _zh_frequencies().get(word, 0.0)
    return freq_to_zipf(freq) if freq > 0 else 0.0


@lru_cache(maxsize=65536)
def toneless(word: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of CJK characters (empty if any character has none)."""
    syllables = tuple(lazy_pinyin(word))
    return syllables if all(s.isascii() and s.isalpha() for s in syllables) else ()


def toned(word: str) -> str:
    """Pinyin with tone marks, for evidence ('yēzi')."""
    return "".join(lazy_pinyin(word, style=Style.TONE))


def transliterations(index: dict[str, list[SoundKey]], word: str) -> list[SoundKey]:
    """The sound keys a CJK word spells by sound (whole word against whole Latin word)."""
    syllables = toneless(word)
    if not syllables or headword_zipf(word) >= MAX_HEADWORD_ZIPF:
        return []
    found: dict[tuple[str, str], SoundKey] = {}
    for sound in pinyin_sounds(syllables):
        for entry in index.get(skeleton(sound), ()):
            if similarity(sound, entry.sound) >= MIN_SIMILARITY:
                found.setdefault((entry.key.brand_id, entry.word), entry)
    return list(found.values())
