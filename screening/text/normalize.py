"""Text normalisation with an offset map back to the original string.

`fold(text)` returns a `Folded` view: lower-case ASCII-ish text where invisible characters
are dropped, styled/fullwidth/enclosed letters are folded (NFKC + transliteration),
look-alike letters of other scripts inside Latin-looking words become their Latin twin
(a TR39-style confusable map), and CJK is kept as is. Every folded character remembers the
span of the original character it came from, so evidence spans point into the original.
`tokens(folded)` splits the folded text into word tokens and records which disguises each
token shows (homoglyph, styled, invisible, mask, leet).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from anyascii import anyascii

# Characters that render as nothing (or almost nothing) and split words invisibly.
_INVISIBLE = frozenset(
    [
        0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0,
        *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070),
        *range(0xFE00, 0xFE10),
    ]
)

# Visual look-alikes of Latin letters in Cyrillic, Greek and a few other blocks (TR39-like).
_CONFUSABLE = {
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "у": "y", "ԝ": "w", "х": "x", "ү": "y", "ь": "b", "п": "n", "и": "u",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "μ": "u", "ϲ": "c", "ϳ": "j", "ѵ": "v",
    "ɑ": "a", "ɡ": "g", "ɩ": "i", "ı": "i", "ȷ": "j", "ℓ": "l", "ø": "o", "ð": "d", "þ": "p",
    "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ħ": "h", "ŀ": "l",
}


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    if code < 0x3400:  # fast path: Latin text
        return False
    return (code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x2FFFF)


def is_invisible(ch: str) -> bool:
    code = ord(ch)
    return code in _INVISIBLE or 0xE0000 <= code <= 0xE0FFF or unicodedata.category(ch) == "Cf"


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> tuple[str, str]:
    """Fold one character; returns (folded text, disguise kind or '')."""
    if ch.isascii():
        return ch.lower(), ""
    if is_invisible(ch):
        return "", "invisible"
    if is_cjk(ch):
        return ch, ""
    if ch.isspace():
        return " ", ""
    low = ch.lower()
    if low in _CONFUSABLE:
        return _CONFUSABLE[low], "homoglyph"
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc.isascii():
        return nfkc.lower(), "styled"
    if len(nfkc) == 1 and nfkc.lower() in _CONFUSABLE:
        return _CONFUSABLE[nfkc.lower()], "styled"
    base = unicodedata.normalize("NFD", nfkc)
    stripped = "".join(c for c in base if not unicodedata.combining(c))
    if stripped.isascii() and stripped:
        return stripped.lower(), ""  # ordinary accents (é, ü) are spelling, not disguise
    if unicodedata.category(ch).startswith("M"):
        return "", "invisible"
    translit = anyascii(ch)
    if translit and len(translit) <= 2 and translit.isalnum():
        kind = "styled" if unicodedata.category(ch).startswith("S") or ord(ch) > 0x2000 else ""
        return translit.lower(), kind or "homoglyph"
    if unicodedata.category(ch).startswith(("P", "S")):
        return ch, ""
    return translit.lower() if translit.isascii() and translit else ch, ""


@dataclass(frozen=True)
class Folded:
    """A folded view of `original`; `starts[i]`/`ends[i]` locate folded char i in it."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    kinds: tuple[str, ...]  # disguise kind per folded char ('' when plain)
    invisible_at: frozenset[int]  # folded positions right after a dropped invisible char

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded [start, end) span to the original string."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def fold(text: str) -> Folded:
    """Fold `text` into the matching view, keeping an offset map."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str] = []
    invisible_at: set[int] = set()
    for index, ch in enumerate(text):
        folded, kind = _fold_char(ch)
        if not folded:
            if kind == "invisible":
                invisible_at.add(len(out))
            continue
        for piece in folded:
            out.append(piece)
            starts.append(index)
            ends.append(index + 1)
            kinds.append(kind)
    return Folded(text, "".join(out), tuple(starts), tuple(ends), tuple(kinds),
                  frozenset(invisible_at))


# ----------------------------------------------------------------------------- tokens
MASK_CHARS = frozenset("*~_?#•·")
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "!": "i", "|": "l", "€": "e", "+": "t"}
_TOKEN_RE = re.compile(r"[^\s,;/()\[\]{}<>\"“”«»【】（）、，。：！？]+")
_EDGE_PUNCT = ".,:;-'!?\"`"


@dataclass
class Token:
    """A word in the folded text with its [start, end) folded span and disguise marks."""

    raw: str
    start: int
    end: int
    plain: str  # letters and digits only
    leet: str  # leet symbols read as letters, other symbols dropped
    masked: bool  # contains a mask character (PR*DA, G~cci)
    dotted: bool  # letters separated by punctuation (G.U.C.C.I, L.V)
    kinds: set[str] = field(default_factory=set)

    @cached_property
    def is_cjk(self) -> bool:
        return any(is_cjk(c) for c in self.raw)


def _make_token(folded: Folded, start: int, end: int) -> Token | None:
    raw = folded.text[start:end]
    while raw and raw[0] in _EDGE_PUNCT:
        raw, start = raw[1:], start + 1
    while raw and raw[-1] in _EDGE_PUNCT and raw[-1] != "!":
        raw, end = raw[:-1], end - 1
    if not raw:
        return None
    plain = "".join(c for c in raw if c.isalnum())
    has_alpha = any(c.isalpha() for c in raw)
    leet = "".join(
        LEET.get(c, c) if (has_alpha and not c.isalpha()) else c
        for c in raw
        if c.isalnum() or c in LEET
    )
    kinds = {k for k in folded.kinds[start:end] if k}
    if any(i in folded.invisible_at for i in range(start + 1, end)):
        kinds.add("invisible")
    masked = any(c in MASK_CHARS for c in raw) and has_alpha
    dotted = bool(re.fullmatch(r"(?:[a-z0-9][.\-'·]){1,}[a-z0-9]\.?", raw)) and len(plain) <= 8
    if masked:
        kinds.add("mask")
    if dotted:
        kinds.add("punctuation")
    if has_alpha and any(c in LEET for c in raw if not c.isalpha()) and leet != plain:
        kinds.add("leet")
    return Token(raw, start, end, plain, leet, masked, dotted, kinds)


def tokens(folded: Folded) -> list[Token]:
    """Split folded text into tokens (whitespace and hard punctuation separate words)."""
    found: list[Token] = []
    for match in _TOKEN_RE.finditer(folded.text):
        token = _make_token(folded, match.start(), match.end())
        if token is not None and (token.plain or token.masked):
            found.append(token)
    return found
