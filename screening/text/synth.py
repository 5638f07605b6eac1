"""Synthetic disguises: make a seller-style variant of any brand name.

Each family is one brand-independent rewrite (the families of the issue). The encoder is
trained on pairs (name, disguise(name)) over synthetic names, so it does not depend on the
catalogue; leave-one-family-out training drops one family here.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from wordfreq import top_n_list

FAMILIES = (
    "case_spacing", "punctuation_mask", "homoglyph", "styled", "leet", "misspelling",
    "phonetic", "truncation", "lookalike", "invisible",
)

_HOMOGLYPHS = {"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х",
               "y": "у", "s": "ѕ", "j": "ј", "h": "һ", "k": "κ", "n": "η", "v": "ν"}
_LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1", "g": "9",
         "b": "8"}
_LOOKALIKE = [("u", "n"), ("n", "u"), ("m", "rn"), ("w", "vv"), ("d", "cl"), ("i", "l"),
              ("l", "i"), ("o", "0"), ("n", "m"), ("m", "n"), ("l", "1"), ("e", "c")]
_PHONETIC = [("ph", "f"), ("f", "ph"), ("c", "k"), ("k", "c"), ("ch", "sh"), ("sh", "ch"),
             ("ci", "chi"), ("cci", "chi"), ("ce", "se"), ("s", "z"), ("z", "s"), ("i", "ee"),
             ("ee", "i"), ("y", "i"), ("i", "y"), ("x", "ks"), ("ks", "x"), ("qu", "k"),
             ("ou", "u"), ("au", "o"), ("o", "au"), ("gi", "ji"), ("ge", "je"), ("v", "w"),
             ("er", "a"), ("ai", "e"), ("ei", "ai"), ("oo", "u"), ("u", "oo")]
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]
_MASKS = "*~_•#?"
_STYLES = [0x1D400, 0x1D434, 0x1D468, 0x1D5A0, 0x1D5D4, 0x1D56C, 0x1D4D0]  # A..Z bases


def _styled_char(ch: str, base: int) -> str:
    if "a" <= ch.lower() <= "z":
        offset = ord(ch) - ord("A") if ch.isupper() else 26 + ord(ch) - ord("a")
        code = base + offset
        if code in (0x1D455,):  # reserved hole (italic h)
            return "ℎ"
        return chr(code)
    return ch


def _case_spacing(name: str, rng: random.Random) -> str:
    mode = rng.random()
    if mode < 0.35:
        return " ".join(name.replace(" ", "").upper() if rng.random() < 0.5 else name)
    if mode < 0.7:
        pos = rng.randrange(1, max(2, len(name) - 1))
        return name[:pos] + " " + name[pos:]
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name.replace(" ", ""))


def _punct(name: str, rng: random.Random) -> str:
    if rng.random() < 0.4:
        sep = rng.choice(".-·_")
        return sep.join(name.replace(" ", "").upper())
    chars = list(name)
    letters = [i for i, c in enumerate(chars) if c.isalpha() and 0 < i < len(chars) - 1]
    for i in rng.sample(letters, k=min(len(letters), rng.choice((1, 1, 2)))):
        chars[i] = rng.choice(_MASKS)
    return "".join(chars)


def _homoglyph(name: str, rng: random.Random) -> str:
    idx = [i for i, c in enumerate(name) if c.lower() in _HOMOGLYPHS]
    chars = list(name)
    for i in rng.sample(idx, k=min(len(idx), rng.choice((1, 1, 2, 3)))):
        chars[i] = _HOMOGLYPHS[chars[i].lower()]
    return "".join(chars)


def _styled(name: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    if rng.random() < 0.3:
        return "".join(chr(0x24B6 + ord(c.upper()) - 65) if c.isalpha() else c for c in name)
    base = rng.choice(_STYLES)
    return "".join(_styled_char(c, base) for c in name)


def _leet(name: str, rng: random.Random) -> str:
    idx = [i for i, c in enumerate(name) if c.lower() in _LEET]
    chars = list(name)
    for i in rng.sample(idx, k=min(len(idx), rng.choice((1, 1, 2)))):
        chars[i] = rng.choice(_LEET[chars[i].lower()])
    return "".join(chars)


def _misspell(name: str, rng: random.Random) -> str:
    chars = list(name)
    i = rng.randrange(1, max(2, len(chars)))
    i = min(i, len(chars) - 1)
    op = rng.random()
    if op < 0.3 and len(chars) > 4:
        del chars[i]
    elif op < 0.55:
        chars.insert(i, chars[i])
    elif op < 0.75 and i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        chars[i] = rng.choice("aeiouy") if chars[i] in "aeiouy" else rng.choice(
            "bcdfghklmnprstvz")
    return "".join(chars)


def _rewrite(name: str, rules: list[tuple[str, str]], rng: random.Random) -> str:
    low = name.lower()
    usable = [(a, b) for a, b in rules if a in low]
    if not usable:
        return name
    out = low
    for a, b in rng.sample(usable, k=min(len(usable), rng.choice((1, 1, 2)))):
        pos = [i for i in range(len(out)) if out.startswith(a, i)]
        if pos:
            i = rng.choice(pos)
            out = out[:i] + b + out[i + len(a):]
    return out.capitalize() if name[:1].isupper() else out


def _phonetic(name: str, rng: random.Random) -> str:
    out = _rewrite(name, _PHONETIC, rng)
    if rng.random() < 0.2 and out.lower().startswith("h"):
        out = out[1:]
    return out


def _truncate(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) > 1 and rng.random() < 0.6:
        nxt = words[1]
        return words[0] + " " + nxt[: rng.randint(1, max(1, len(nxt) // 2))]
    compact = words[0]
    if len(compact) < 5:
        return compact
    return compact[: rng.randint(max(4, len(compact) // 2), len(compact) - 1)]


def _lookalike(name: str, rng: random.Random) -> str:
    out = _rewrite(name, _LOOKALIKE, rng)
    if len(name.split()) == 2 and name.split()[0] == name.split()[1]:  # reduplicated names
        half = out.split()[0] if out.split() else out
        return f"{half} {half}"
    return out


def _invisible(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, max(2, len(name)))
    return name[:i] + rng.choice(_INVISIBLE) + name[i:]


GENERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "case_spacing": _case_spacing, "punctuation_mask": _punct, "homoglyph": _homoglyph,
    "styled": _styled, "leet": _leet, "misspelling": _misspell, "phonetic": _phonetic,
    "truncation": _truncate, "lookalike": _lookalike, "invisible": _invisible,
}


def disguise(name: str, family: str, rng: random.Random) -> str:
    """One disguised variant of `name` in `family`."""
    return GENERATORS[family](name, rng)


_SYLLABLE_TEXT = (
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go gu ja "
    "ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri "
    "ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi zo cha che chi sha she "
    "tti cci lle rre gno mont lau vier tan ger ton kor ber nel lex mar dor"
)
_SYLLABLES = tuple(_SYLLABLE_TEXT.split())


def synthetic_names(count: int, rng: random.Random) -> list[str]:
    """Brand-like names: dictionary words of four languages and invented syllable words,
    sometimes doubled ('Xyz Xyz') or paired with a second word. No brand catalogue."""
    words = [w for lang in ("en", "fr", "it", "es") for w in top_n_list(lang, 6000)
             if w.isalpha() and w.isascii() and 4 <= len(w) <= 10]
    names: list[str] = []
    while len(names) < count:
        roll = rng.random()
        if roll < 0.45:  # noqa: SIM108 (the draw order fixes the seeded data set)
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        else:
            word = rng.choice(words)
        word = word.capitalize()
        if rng.random() < 0.2:
            other = rng.choice(words).capitalize()
            word = f"{word} {other}"
        elif rng.random() < 0.05:
            word = f"{word[:3]} {word[:3]}"
        names.append(word)
    return names
