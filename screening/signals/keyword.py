"""Keyword signal: brand names, aliases and product lines found after normalization.

Matching happens on a folded copy of each field (NFKC, case, accents, punctuation and
spacing collapsed) that keeps a map back to the original characters, so evidence spans
point into the text the seller wrote. `default_signals` now runs `screening.text.signal.
TextSignal`, which reads these exact names too (and disguised ones); this signal and its
`fold` stay for callers that want the plain keyword view (review grouping, tests).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from screening.types import (
    Catalogue,
    Evidence,
    ScreeningInput,
    SignalName,
    SignalOutput,
)

NAME_SCORE = 0.9
PRODUCT_LINE_SCORE = 0.7


@dataclass(frozen=True)
class FoldedText:
    """Normalized text and, for each of its characters, the offset it came from."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> FoldedText:
    """Lower-case, strip accents, NFKC, and turn runs of non-alphanumerics into one space."""
    chars: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char)):
            if unicodedata.combining(piece):
                continue
            piece = piece.casefold()
            if not piece.isalnum():
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    origin.append(position)
                continue
            chars.append(piece)
            origin.append(position)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return FoldedText("".join(chars), tuple(origin))


@dataclass(frozen=True)
class _Term:
    brand_id: str
    term: str
    kind: str


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class KeywordSignal:
    """Finds catalogue terms on word boundaries (CJK terms match anywhere)."""

    name = SignalName.TEXT.value
    version = "keyword-1"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._compiled: tuple[int, re.Pattern[str] | None, dict[str, list[_Term]]] | None = None

    def _compile(self, catalogue: Catalogue) -> tuple[re.Pattern[str] | None, dict[str, list[_Term]]]:
        with self._lock:
            if self._compiled is not None and self._compiled[0] == catalogue.version:
                return self._compiled[1], self._compiled[2]
        terms: dict[str, list[_Term]] = {}
        for brand in catalogue.brands.values():
            candidates = [(brand.name, "name")] + [(a, "alias") for a in brand.aliases]
            candidates += [(p, "product line") for p in brand.product_lines]
            for raw, kind in candidates:
                folded = fold(raw).text
                if len(folded) >= 2:
                    terms.setdefault(folded, []).append(_Term(brand.id, raw, kind))
        pattern = None
        if terms:
            alternatives = sorted(terms, key=len, reverse=True)
            body = "|".join(
                re.escape(t) if _is_cjk(t) else rf"(?<![^\W_]){re.escape(t)}(?![^\W_])"
                for t in alternatives
            )
            pattern = re.compile(body)
        with self._lock:
            self._compiled = (catalogue.version, pattern, terms)
        return pattern, terms

    def evaluate(self, item: ScreeningInput) -> SignalOutput:
        pattern, terms = self._compile(item.catalogue)
        output = SignalOutput()
        if pattern is None:
            return output
        listing = item.listing
        for field_name, text in (("title", listing.title), ("description", listing.description)):
            if not text:
                continue
            folded = fold(text)
            for found in pattern.finditer(folded.text):
                span = folded.span(found.start(), found.end())
                for term in terms.get(found.group(0), []):
                    brand = item.catalogue.brands[term.brand_id]
                    score = PRODUCT_LINE_SCORE if term.kind == "product line" else NAME_SCORE
                    detail = f"'{text[span[0]:span[1]]}' is {brand.name}'s {term.kind} '{term.term}'"
                    output.evidence.append(
                        Evidence(SignalName.TEXT, brand.id, score, detail, field_name, span)
                    )
        return output
