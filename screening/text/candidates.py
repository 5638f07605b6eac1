"""Candidate generation: which brands might a title mention, where, and how disguised.

Generators run over windows of consecutive tokens of the folded text: exact keys,
disguised-exact (homoglyphs, styled letters, invisibles, dots, spacing), masks, leet,
look-alike skeletons, fuzzy edits, loose phonetic keys, truncations, initialisms and codes,
Chinese names and their homophones. The learned encoder adds nearest neighbours from the
FAISS brand index (see `screening.text.signal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from screening.text.keys import (
    edit_reason,
    lookalike_reasons,
    phonetic_variants,
    pinyin_loose,
    skeleton,
    tones,
)
from screening.text.lexicon import BrandKey, Lexicon
from screening.text.normalize import MASK_CHARS, Folded, Token, is_cjk
from screening.text.phrases import zipf

# A window whose word is this common (zipf) is read as that word, not as a misspelt brand.
ORDINARY_ZIPF = 2.4
INITIAL_NOUNS = frozenset({"belt", "buckle", "logo", "monogram", "clasp"})
_DOUBLE_RE = re.compile(r"(?:\bdouble\s+|双)([a-z])\b", re.IGNORECASE)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


@dataclass
class Candidate:
    """A possible brand mention: `start`/`end` index the folded text."""

    brand_id: str
    key: BrandKey
    method: str
    start: int
    end: int
    seen: str
    similarity: float
    reasons: list[str] = field(default_factory=list)
    disguises: set[str] = field(default_factory=set)


Emit = Callable[[BrandKey, str, float, list[str], "set[str] | None"], None]


@dataclass
class Window:
    tokens: list[Token]
    plain: str
    leet: str
    start: int
    end: int
    kinds: set[str]
    spacing: bool  # built from several tokens (split or spaced-out word)


def merge_spaced(tokens: list[Token]) -> list[Token]:
    """Join runs of 3+ single-letter tokens ('G U C C I') into one token."""
    merged: list[Token] = []
    run: list[Token] = []

    def flush() -> None:
        if len(run) >= 3:
            first, last = run[0], run[-1]
            text = "".join(t.plain for t in run)
            kinds = set().union(*(t.kinds for t in run)) | {"spacing"}
            merged.append(Token(text, first.start, last.end, text, text, False, False, kinds))
        else:
            merged.extend(run)
        run.clear()

    for token in tokens:
        if len(token.plain) == 1 and token.plain.isalpha() and not token.masked:
            run.append(token)
        else:
            flush()
            merged.append(token)
    flush()
    return merged


def windows(tokens: list[Token], max_tokens: int) -> list[Window]:
    out: list[Window] = []
    for i in range(len(tokens)):
        if tokens[i].is_cjk:
            continue
        plain = leet = ""
        kinds: set[str] = set()
        for j in range(i, min(len(tokens), i + max_tokens)):
            tok = tokens[j]
            if tok.is_cjk:
                break
            plain += tok.plain
            leet += tok.leet
            kinds |= tok.kinds
            if len(plain) > 24:
                break
            out.append(Window(tokens[i : j + 1], plain, leet, tokens[i].start, tok.end,
                              set(kinds), j > i))
    return out


class CandidateGenerator:
    """Runs the rule-based generators of one lexicon."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.prefixes: dict[str, list[BrandKey]] = {}
        for key in lex.fuzzy_keys:
            if key.kind == "pinyin":
                continue
            for n in range(4, len(key.compact)):
                self.prefixes.setdefault(key.compact[:n], []).append(key)
        self.mask_keys = [k for k in lex.fuzzy_keys if k.kind != "pinyin"]
        self.multi_keys = [k for k in lex.fuzzy_keys if len(k.words) > 1]
        self.multi_firsts = [k.words[0] for k in self.multi_keys]
        self.multi_lengths = frozenset(len(k.words) for k in self.multi_keys)
        self._first_cache: dict[str, list[int]] = {}  # word → near multi-word keys (pure)

    # ------------------------------------------------------------------ public
    def generate(self, folded: Folded, toks: list[Token]) -> list[Candidate]:
        found: list[Candidate] = []
        max_tokens = min(4, self.lex.max_words + 2)
        for win in windows(toks, max_tokens):
            found.extend(self._window(folded, win))
        found.extend(self._doubles(folded))
        found.extend(self._initials(folded, toks))
        found.extend(self._cjk(folded))
        return found

    # ------------------------------------------------------------------ windows
    def _window(self, folded: Folded, win: Window) -> list[Candidate]:
        seen = folded.original[folded.span(win.start, win.end)[0] : folded.span(win.start,
                                                                                win.end)[1]]
        disguises = {k for k in win.kinds if k != "leet"}
        out: list[Candidate] = []

        def emit(key: BrandKey, method: str, sim: float, reasons: list[str],
                 extra: set[str] | None) -> None:
            out.append(Candidate(key.brand_id, key, method, win.start, win.end, seen, sim,
                                 reasons, disguises | (extra or set())))

        # Ordinary words written apart ('Dolce Vita') are how the words are spelt, not a split.
        split = win.spacing and not any(
            len(k.words) == len(win.tokens) for k in self.lex.by_compact.get(win.plain, [])
        ) and not all(zipf(t.plain) >= ORDINARY_ZIPF for t in win.tokens)
        for text, leet in ((win.plain, False), (win.leet, True)):
            if leet and text == win.plain:
                continue
            for key in self.lex.by_compact.get(text, []):
                reasons = []
                extra: set[str] = set()
                if leet:
                    reasons.append("leet digits/symbols read as letters")
                    extra.add("leet")
                if split and len(key.words) != len(win.tokens):
                    extra.add("spacing")
                    reasons.append("spacing splits the name")
                emit(key, "exact" if not (disguises or extra) else "disguised", 1.0, reasons,
                     extra)
            for code in self.lex.codes.get(text, []) or self.lex.codes.get(text.rstrip("0123456789"), []):
                raw = folded.original[folded.span(win.start, win.end)[0]:
                                      folded.span(win.start, win.end)[1]]
                letters = [c for c in raw if c.isalpha()]
                if len(win.tokens) <= 2 and letters and all(c.isupper() for c in letters):
                    emit(code, "code", 1.0, ["initialism/code"], None)
        if out:
            return out
        if any(t.masked for t in win.tokens):
            self._masked(win, emit)
            if out:
                return out
        if len(win.plain) < 4:
            return out
        word_z = zipf(win.plain) if not win.spacing else min(zipf(t.plain) for t in win.tokens)
        ordinary = not disguises and word_z >= ORDINARY_ZIPF
        aligned = len(win.tokens)  # multi-token windows only match keys word by word
        for text in {win.plain, win.leet}:
            for key in self.lex.by_skeleton.get(skeleton(text), []):
                if key.compact == text or (win.spacing and len(key.words) != aligned):
                    continue
                if ordinary and win.tokens[0].plain != win.tokens[-1].plain:
                    continue  # ordinary words; reduplication ('min min') still counts
                reasons = lookalike_reasons(text, key.compact) or ["look-alike letters"]
                emit(key, "lookalike", 0.95, reasons, {"lookalike"})
        if out:
            return out
        if win.spacing:
            self._fuzzy_words(win, emit)
            if not out:
                self._phonetic_words(win, emit)
            if not out:
                self._truncation(win, emit)
            return out
        if not ordinary:
            self._fuzzy(win, emit)
            if not out:
                self._phonetic(win, emit)
        if not out and ((not disguises and word_z < 4.0) or disguises):
            self._truncation(win, emit)
        return out

    def _fuzzy_words(self, win: Window, emit: Emit) -> None:
        """Multi-word names misspelt word by word: 'Stela Marino' for 'Stella Marina'."""
        parts = [t.leet for t in win.tokens]
        if len(parts) not in self.multi_lengths or any(len(p) < 2 for p in parts):
            return
        for idx in self._near_first_words(parts[0]):
            key = self.multi_keys[idx]
            if len(key.words) != len(parts) or key.compact == win.plain:
                continue
            dists = [DamerauLevenshtein.distance(p, w) for p, w in zip(parts, key.words,
                                                                        strict=True)]
            if all(d <= (1 if len(w) < 6 else 2) for d, w in zip(dists, key.words, strict=True)):
                sim = 1.0 - sum(dists) / max(len(key.compact), len(win.plain))
                emit(key, "misspelling", sim, [edit_reason(win.plain, key.compact)],
                     {"misspelling"})
                return

    def _near_first_words(self, word: str) -> list[int]:
        """Multi-word keys whose first word is within two edits of `word` (memoized)."""
        found = self._first_cache.get(word)
        if found is None:
            found = [idx for _, _, idx in process.extract(
                word, self.multi_firsts, limit=8, scorer=DamerauLevenshtein.distance,
                score_cutoff=2)]
            if len(self._first_cache) > 50_000:
                self._first_cache.clear()
            self._first_cache[word] = found
        return found

    def _phonetic_words(self, win: Window, emit: Emit) -> None:
        """Multi-word names spelled by ear word by word: 'Jon Dowe' for 'John Doe'."""
        parts = [t.plain for t in win.tokens]
        if len(parts) not in self.multi_lengths or any(len(p) < 2 for p in parts):
            return
        keys = [phonetic_variants(p) for p in parts]
        for variant in phonetic_variants(win.plain):
            for key in self.lex.by_phonetic.get(variant, []):
                if len(key.words) != len(parts) or key.compact == win.plain:
                    continue
                if all(keys[i] & phonetic_variants(w) for i, w in enumerate(key.words)):
                    sim = Levenshtein.normalized_similarity(win.plain, key.compact)
                    emit(key, "phonetic", sim, ["sounds alike"], {"phonetic"})
                    return

    def _masked(self, win: Window, emit: Emit) -> None:
        raw = "".join(t.raw for t in win.tokens)
        pattern = "".join(
            ".{1,2}" if c in MASK_CHARS else re.escape(c) for c in raw if c.isalnum()
            or c in MASK_CHARS
        )
        regex = re.compile(pattern)
        for key in self.mask_keys:
            if regex.fullmatch(key.compact):
                emit(key, "mask", 0.9, ["letters masked with symbols"], {"mask"})

    def _fuzzy(self, win: Window, emit: Emit) -> None:
        query = skeleton(win.leet)
        n = len(query)
        max_dist = 1 if n < 8 else 2 if n < 11 else 3
        if n < 5:
            max_dist = 1
        results = process.extract(query, self.lex.fuzzy_skeletons, scorer=DamerauLevenshtein.distance,
                                  score_cutoff=max_dist, limit=5)
        for _, dist, idx in results:
            key = self.lex.fuzzy_keys[idx]
            if win.spacing and len(key.words) != len(win.tokens):
                continue
            short = len(key.compact) < 5 and dist > 0 and len(win.plain) < 5
            if short and key.compact[0] != win.plain[0]:
                continue
            sim = 1.0 - dist / max(len(key.compact), n)
            reason = edit_reason(win.leet, key.compact)
            emit(key, "misspelling", sim, [reason], {"misspelling"})

    def _phonetic(self, win: Window, emit: Emit) -> None:
        seen_ids: set[int] = set()
        for variant in phonetic_variants(win.leet):
            if len(variant) < 3:
                continue
            for key in self.lex.by_phonetic.get(variant, []):
                if id(key) in seen_ids or (win.spacing and len(key.words) != len(win.tokens)
                                           and key.kind != "pinyin"):
                    continue
                seen_ids.add(id(key))
                sim = Levenshtein.normalized_similarity(win.leet, key.compact)
                if sim < 0.5 or (len(variant) <= 3 and sim < 0.6):
                    continue
                reason = f"sounds like {key.display}" if key.kind == "pinyin" else "sounds alike"
                emit(key, "phonetic", sim, [reason], {"phonetic"})

    def _truncation(self, win: Window, emit: Emit) -> None:
        text = win.plain
        parts = [t.plain for t in win.tokens]
        for key in self.prefixes.get(text, []):
            coverage = len(text) / len(key.compact)
            if len(key.words) == 1 or len(parts) == 1:
                # one token cut from the first word: 'Marinel' for 'Marinella'
                first = key.words[0]
                if win.spacing or len(text) < 4 or len(text) >= len(first) + 1:
                    continue
                if len(text) < 0.5 * len(first) or (len(key.words) > 1 and len(text) < 5):
                    continue
                if len(key.words) > 1 and zipf(text) >= ORDINARY_ZIPF:
                    continue  # an ordinary first word alone ('Creme') is not the name cut short
            else:
                # whole leading words, then the start of the next: 'Stella M', 'Blue Ri' for 'Blue River'
                lead = parts[:-1]
                if tuple(lead) != key.words[: len(lead)] or len(lead) >= len(key.words):
                    continue
                if not key.words[len(lead)].startswith(parts[-1]):
                    continue
                if all(zipf(w) >= 5.0 for w in lead):
                    continue
            emit(key, "truncation", coverage, ["name cut short"], {"truncation"})

    # ------------------------------------------------------------------ others
    def _doubles(self, folded: Folded) -> list[Candidate]:
        out: list[Candidate] = []
        for match in _DOUBLE_RE.finditer(folded.text):
            letter = match.group(1).lower()
            s, e = folded.span(match.start(), match.end())
            for key in self.lex.codes.get(letter * 2, []):
                out.append(Candidate(key.brand_id, key, "code", match.start(), match.end(),
                                     folded.original[s:e], 1.0, ["double-letter monogram"]))
        return out

    def _initials(self, folded: Folded, toks: list[Token]) -> list[Candidate]:
        out: list[Candidate] = []
        for tok, nxt in pairwise(toks):
            if len(tok.plain) != 1 or nxt.plain not in INITIAL_NOUNS:
                continue
            s, e = folded.span(tok.start, tok.end)
            if not folded.original[s:e].isupper():
                continue
            for key in self.lex.initials.get(tok.plain, []):
                out.append(Candidate(key.brand_id, key, "initial", tok.start, nxt.end,
                                     folded.original[s:e] + " " + nxt.plain, 1.0,
                                     [f"single-initial {nxt.plain}"]))
        return out

    def _cjk(self, folded: Folded) -> list[Candidate]:
        out: list[Candidate] = []
        text = folded.text
        if not any(is_cjk(c) for c in text):
            return out
        for key in self.lex.cjk:
            pos = text.find(key.compact)
            while pos >= 0:
                end = pos + len(key.compact)
                s, e = folded.span(pos, end)
                out.append(Candidate(key.brand_id, key, "cjk", pos, end, folded.original[s:e],
                                     1.0, ["registered Chinese name"]))
                pos = text.find(key.compact, end)
        found_spans = {(c.start, c.end) for c in out}
        for run in _CJK_RUN.finditer(text):
            chars = run.group(0)
            for size in range(2, min(5, len(chars)) + 1):
                for i in range(0, len(chars) - size + 1):
                    start = run.start() + i
                    if (start, start + size) in found_spans:
                        continue
                    piece = chars[i : i + size]
                    for key in self.lex.cjk_pinyin.get(pinyin_loose(piece), []):
                        if piece == key.compact or len(piece) != len(key.compact):
                            continue
                        if size == 2 and tones(piece) != tones(key.compact):
                            continue
                        s, e = folded.span(start, start + size)
                        out.append(Candidate(key.brand_id, key, "cjk_homophone", start,
                                             start + size, folded.original[s:e], 0.9,
                                             [f"sounds like {key.display}"], {"homophone"}))
        return out
