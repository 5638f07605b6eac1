"""Candidates from the learned character encoder and the FAISS brand index."""

from __future__ import annotations

from typing import cast

from models.text_encoder import CharEncoder
from screening.index.brand_index import BrandIndex
from screening.text.candidates import Candidate
from screening.text.lexicon import BrandKey, Lexicon, brand_keys
from screening.text.normalize import Folded, Token
from screening.text.phrases import zipf
from screening.types import BrandProfile

EMBED_KINDS = ("name", "alias")  # not pinyin: Latin words that are pinyin would match it
MAX_WINDOWS = 4
MAX_TOKENS = 3


def embed_text(key: BrandKey) -> str:
    """The string the encoder sees for a brand key."""
    return " ".join(key.words) if key.kind != "pinyin" else key.compact


def embeddable_keys(brand: BrandProfile) -> list[tuple[str, str]]:
    """(kind, text) pairs of a brand that live in the 'text' index space."""
    out: list[tuple[str, str]] = []
    for key in brand_keys(brand):
        if key.kind in EMBED_KINDS and len(key.compact) >= 4:
            pair = (key.kind, embed_text(key))
            if pair not in out:
                out.append(pair)
    return out


def _lookup(lex: Lexicon) -> dict[tuple[str, str], BrandKey]:
    table = lex.extras.get("embed_lookup")
    if table is None:
        table = {(k.brand_id, embed_text(k)): k for k in lex.keys if k.kind in EMBED_KINDS}
        lex.extras["embed_lookup"] = table
    return cast(dict[tuple[str, str], BrandKey], table)


def _interesting(token: Token) -> bool:
    """A token the rules may not have read: disguised, or a rare word with letters in it."""
    if token.kinds:
        return True
    letters = sum(c.isalpha() for c in token.plain)
    return letters >= 3 and letters >= len(token.plain) - letters and zipf(token.plain) < 2.4


def _query_windows(folded: Folded, toks: list[Token], taken: list[tuple[int, int]]
                   ) -> list[tuple[int, int, str]]:
    """Title windows worth a nearest-neighbour search: up to MAX_TOKENS tokens with at least
    one interesting token, not overlapping a rule candidate, the most interesting first."""
    interesting = [(not t.is_cjk) and _interesting(t) for t in toks]
    ranked: list[tuple[float, tuple[int, int, str]]] = []
    for i in range(len(toks)):
        for j in range(i, min(len(toks), i + MAX_TOKENS)):
            if toks[j].is_cjk:
                break
            group = toks[i : j + 1]
            plain = "".join(t.plain for t in group)
            hits = sum(interesting[i : j + 1])
            if len(plain) < 4 or len(plain) > 22 or not hits:
                continue
            start, end = group[0].start, group[-1].end
            if any(s < end and start < e for s, e in taken):
                continue
            text = folded.text[start:end]
            ranked.append((hits / len(group) + 0.1 * sum(not c.isalpha() for c in text)
                           - 0.1 * zipf(plain), (start, end, text)))
    ranked.sort(key=lambda r: -r[0])
    return [window for _, window in ranked[:MAX_WINDOWS]]


def encoder_candidates(
    encoder: CharEncoder,
    index: BrandIndex,
    space: str,
    lex: Lexicon,
    folded: Folded,
    toks: list[Token],
    existing: list[Candidate],
) -> list[Candidate]:
    """Nearest brand keys of title windows that no rule already explained."""
    taken = [(c.start, c.end) for c in existing]
    queries = _query_windows(folded, toks, taken)
    if not queries:
        return []
    vectors = encoder.encode([q[2] for q in queries])
    hits = index.search(space, vectors, 3)
    lookup = _lookup(lex)
    threshold = encoder.config.threshold
    out: list[Candidate] = []
    for (start, end, _), row in zip(queries, hits, strict=True):
        for hit in row:
            if hit.score < threshold:
                break
            label_text = hit.label.split(":", 1)[-1]
            key = lookup.get((hit.brand_id, label_text))
            if key is None:
                continue
            s, e = folded.span(start, end)
            out.append(Candidate(key.brand_id, key, "encoder", start, end,
                                 folded.original[s:e], float(hit.score),
                                 [f"learned similarity {hit.score:.2f}"], {"encoder"}))
    return out
