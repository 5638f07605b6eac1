"""`TextSignal`: reads disguised brand names in listing titles and descriptions."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.text_encoder import DEFAULT_DIR, CharEncoder
from screening.index.brand_index import BrandIndex
from screening.settings import Settings
from screening.text.candidates import Candidate, CandidateGenerator, merge_spaced
from screening.text.encoder_candidates import embeddable_keys, encoder_candidates
from screening.text.lexicon import Lexicon, compile_catalogue
from screening.text.nicknames import nickname_candidates
from screening.text.normalize import Folded, fold, tokens
from screening.text.phrases import compat_scopes, counterfeit_phrases
from screening.text.verify import Context, listing_context, verify
from screening.types import (
    BrandProfile,
    Catalogue,
    Evidence,
    Flag,
    ScreeningInput,
    SignalOutput,
)

log = structlog.get_logger(__name__)
SPACE = "text"
RULES_VERSION = "2"
# Below this the verifier reads the word as not the brand: no evidence, so nothing (a low
# price, say) can lift it into a match...
MIN_EVIDENCE = 0.3
# ...except the brand's registered name written plainly: that is always listed as a match
# (brand owners see listings that name them), however low the verifier scores its use.
# A product line named as the product ('So Kate pumps') is kept from a lower score too: alone
# it stays under review, but beside a price far under the brand's floor (fusion) it is a case.
MIN_PRODUCT_NAME_EVIDENCE = 0.2
NAMED_METHODS = ("exact", "cjk")


@dataclass
class _Compiled:
    lexicon: Lexicon
    generator: CandidateGenerator


class TextSignal:
    """The `text` signal (a `Signal` and a `BrandIndexer`). Thread-safe for reads."""

    name = "text"

    def __init__(self, encoder: CharEncoder | None, rules: bool = True) -> None:
        self.encoder = encoder
        self.rules = rules
        enc_version = encoder.config.version if encoder is not None else "none"
        self.model_version = f"text-encoder-{enc_version}"
        self.version = f"text-rules-{RULES_VERSION}+{self.model_version}"
        self._index: BrandIndex | None = None
        self._compiled: dict[int, _Compiled] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, weights_dir: Path | None = None, rules: bool = True) -> TextSignal:
        """Load the shipped encoder weights (or those in `weights_dir`)."""
        return cls(CharEncoder.load(weights_dir), rules=rules)

    # ------------------------------------------------------------------ indexing
    def open_index(self, index: BrandIndex) -> None:
        """Open the 'text' space and re-embed rows written by another encoder version."""
        if self.encoder is None:
            return
        index.open_space(SPACE, self.encoder.config.out_dim)
        sessions = getattr(index, "_sessions", None)
        if sessions is not None:
            self._reembed_stale(index, sessions)
        self._index = index

    def _reembed_stale(self, index: BrandIndex, sessions: object) -> None:
        from screening.db.tables import IndexVectorRow

        assert self.encoder is not None
        with sessions() as session:  # type: ignore[operator]
            rows = session.execute(
                select(IndexVectorRow.id, IndexVectorRow.brand_id, IndexVectorRow.label).where(
                    IndexVectorRow.space == SPACE,
                    IndexVectorRow.model_version != self.model_version,
                )
            ).all()
            if not rows:
                return
            by_brand: dict[str, list[str]] = {}
            for _, brand_id, label in rows:
                by_brand.setdefault(brand_id, []).append(label)
            index.remove_where(session, space=SPACE, ids=[r[0] for r in rows])
            for brand_id, labels in by_brand.items():
                texts = [label.split(":", 1)[-1] for label in labels]
                index.add(session, SPACE, brand_id, self.encoder.encode(texts), labels,
                          self.model_version)
            session.commit()
        log.info("text.reembedded", rows=len(rows))

    def on_brand_changed(self, session: Session, index: BrandIndex, brand: BrandProfile) -> None:
        """Replace this brand's key vectors in the caller's transaction."""
        if self.encoder is None:
            return
        if not index.is_open(SPACE):
            index.open_space(SPACE, self.encoder.config.out_dim)
        index.remove_where(session, space=SPACE, brand_id=brand.id)
        keys = embeddable_keys(brand)
        if not keys:
            return
        labels = [f"{kind}:{text}" for kind, text in keys]
        vectors = self.encoder.encode([text for _, text in keys])
        index.add(session, SPACE, brand.id, vectors, labels, self.model_version)
        if self._index is None:
            self._index = index

    # ------------------------------------------------------------------ screening
    def _compile(self, catalogue: Catalogue) -> _Compiled:
        found = self._compiled.get(catalogue.version)
        if found is not None:
            return found
        with self._lock:
            found = self._compiled.get(catalogue.version)
            if found is None:
                lex = compile_catalogue(catalogue)
                found = _Compiled(lex, CandidateGenerator(lex))
                self._compiled = {catalogue.version: found}
        return found

    def _candidates(self, compiled: _Compiled, folded: Folded) -> tuple[list[Candidate], list]:
        toks = merge_spaced(tokens(folded))
        cands = compiled.generator.generate(folded, toks) if self.rules else []
        if self.rules:
            cands.extend(nickname_candidates(compiled.lexicon, folded))
        if self.encoder is not None and self._index is not None and self._index.is_open(SPACE):
            cands.extend(encoder_candidates(self.encoder, self._index, SPACE, compiled.lexicon,
                                            folded, toks, cands))
        return cands, toks

    def evaluate(self, item: ScreeningInput) -> SignalOutput:
        compiled = self._compile(item.catalogue)
        lex = compiled.lexicon
        listing = item.listing
        best: dict[str, tuple[float, Evidence, bool]] = {}
        flags: list[Flag] = []
        title_ctx: Context | None = None
        named: set[str] = set()  # brands whose registered name is written plainly
        for field_name, text in (("title", listing.title), ("description", listing.description)):
            if not text:
                continue
            folded = fold(text[:20000])
            cands, toks = self._candidates(compiled, folded)
            phrases = counterfeit_phrases(folded.text)
            ctx = listing_context(folded.text, toks, phrases, listing.price)
            ctx = replace(ctx, compat_ends=tuple(
                compat_scopes(folded.text, sorted({c.start for c in cands}))))
            if title_ctx is None:
                title_ctx = ctx
            else:
                ctx = replace(ctx, categories=ctx.categories | title_ctx.categories,
                              unrelated=ctx.unrelated and title_ctx.unrelated,
                              phrases=ctx.phrases + title_ctx.phrases,
                              resale=ctx.resale or title_ctx.resale,
                              designer=ctx.designer or title_ctx.designer)
            for hit in phrases:
                s, e = folded.span(hit.start, hit.end)
                flags.append(Flag("counterfeit_phrase", f"'{folded.original[s:e]}'",
                                  field_name, (s, e)))
            spans: dict[str, list[tuple[int, int]]] = {}
            for cand in cands:
                spans.setdefault(cand.brand_id, []).append((cand.start, cand.end))
            for cand in cands:
                if cand.brand_id not in lex.brands:
                    continue
                if cand.method in NAMED_METHODS and cand.key.kind in ("name", "alias", "cjk"):
                    named.add(cand.brand_id)
                support = any(e <= cand.start or s >= cand.end for s, e in spans[cand.brand_id])
                verdict = verify(cand, ctx, lex, support)
                previous = best.get(cand.brand_id)
                if previous is not None and previous[0] >= verdict.score:
                    continue
                span = folded.span(cand.start, cand.end)
                best[cand.brand_id] = (verdict.score, Evidence(
                    signal=self.name, brand_id=cand.brand_id, score=round(verdict.score, 4),
                    detail=_detail(cand, lex, verdict.notes), field=field_name, span=span),
                    verdict.names_product)
        evidence = sorted((ev for score, ev, product in best.values()
                           if score >= MIN_EVIDENCE or ev.brand_id in named
                           or (product and score >= MIN_PRODUCT_NAME_EVIDENCE)),
                          key=lambda e: -e.score)
        return SignalOutput(evidence=evidence, flags=flags)


def _detail(cand: Candidate, lex: Lexicon, notes: tuple[str, ...]) -> str:
    brand = lex.display_name(cand.brand_id)
    target = cand.key.display if cand.key.display == brand else f"{cand.key.display}' ({brand})"
    target = f"'{target}'" if cand.key.display == brand else f"'{target}"
    why = list(dict.fromkeys(cand.reasons))
    if cand.disguises - {"misspelling", "phonetic", "truncation", "lookalike", "leet"}:
        why.extend(sorted(cand.disguises - {"misspelling", "phonetic", "truncation",
                                            "lookalike", "leet"}))
    kind = {"line": "product line", "code": "code", "cjk": "Chinese name",
            "pinyin": "Chinese name"}.get(cand.key.kind)
    head = f"'{cand.seen}' reads as {target}"
    if kind:
        head += f" [{kind}]"
    if why:
        head += f" ({', '.join(dict.fromkeys(why))})"
    if notes:
        head += "; " + "; ".join(notes)
    return head


def encode_keys(encoder: CharEncoder, texts: list[str]) -> np.ndarray:
    """Embed brand key texts (exposed for training and evaluation scripts)."""
    return encoder.encode([fold(t).text for t in texts])


def text_signal(settings: Settings) -> TextSignal:
    """The service's text signal: rules plus the shipped encoder when models load and the
    weights are present, rules alone otherwise (the exact-name path always works)."""
    if settings.load_models and (DEFAULT_DIR / "model.safetensors").is_file():
        return TextSignal.load()
    if settings.load_models:
        log.warning("text.encoder_missing", path=str(DEFAULT_DIR))
    return TextSignal(None)
