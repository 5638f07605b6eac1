"""The plain keyword view of a text: NFKC, case, accents, punctuation and spacing collapsed.

`fold` keeps a map back to the original characters. Review grouping keys listings by it;
screening itself reads text with `screening.text` (which also reads disguised names).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


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
