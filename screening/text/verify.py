"""The verifier: weigh a candidate's match against the listing's context.

The score is a logistic function of a few readable features: how the brand was written
(obfuscation is itself evidence of intent), how common the matched word is in ordinary
language, whether the listing's product words fit what the brand sells, compatibility
phrases ("case for ..."), counterfeit phrases, and the price against the brand's floor.
Weights are set by hand, not fitted; some were adjusted while measuring on the dev
titles (models/weights/text_encoder/MODEL_CARD.md says which), so the dev numbers are
optimistic for unseen titles. A price under the brand's floor is left to fusion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from screening.text.candidates import Candidate
from screening.text.glossary import common_words, content_words, dictionary_phrases
from screening.text.lexicon import BrandInfo, Lexicon, to_usd
from screening.text.normalize import Token
from screening.text.phrases import (
    CATEGORY_REACH,
    DESIGNER_RE,
    RESALE_RE,
    STYLE_WORDS,
    UNRELATED_WORDS,
    PhraseHit,
    categories_of,
    english,
    zipf,
    zipf_en,
)
from screening.text.translit import headword_zipf
from screening.types import Money

# Base log-odds per generator: how strongly the spelling alone suggests deliberate use.
METHOD_BASE = {
    "exact": 0.0,
    "disguised": 2.6,
    "mask": 2.4,
    "lookalike": 2.2,
    "misspelling": 1.0,
    "phonetic": 0.9,
    "truncation": 0.6,
    "code": 0.0,
    "initial": -0.6,
    "cjk": 0.2,
    "cjk_homophone": 1.6,
    "cjk_nickname": 1.2,
    "cjk_initial_house": -0.2,
    "cjk_initials": 0.6,  # a word whose pinyin initials spell a registered code
    "cjk_gloss": 0.2,  # a dictionary translation of a product line (needs product context)
    "cjk_transliteration": 0.6,  # an everyday word whose sound spells the Latin name
    "cjk_cognate": 0.0,  # a dictionary gloss whose words are cognates of a line's words
    "encoder": 0.6,
}
KIND_ADJUST = {"line": 0.6, "code": 0.6, "derived": 0.0, "monogram": -1.2, "pinyin": 0.4}
W_CATEGORY = 0.8
W_OFF_CATEGORY = -2.2
W_STYLE = -1.6
W_COMPAT = -4.5
W_PHRASE = 2.6
W_COMMON = -0.8
W_LINE_COMMON = -1.5
W_RESALE = -2.5
W_LINE_NOUN = 1.2
W_ORDINARY_LINE = -0.8
W_DESIGNER_LINE = 1.0  # a line named as the product, in a listing worded as designer goods
GENDER_WORDS = frozenset(["women", "womens", "men", "mens", "ladies", "unisex", "kids", "girls", "boys"])
W_SUPPORT = 0.6
W_LINE_CODE = -0.3  # a code that only opens a product line, below a name's own initials (0.0)
INITIAL_METHODS = ("code", "initial", "cjk_initial_house")
# A one-character nickname stem is ambiguous: like codes, it identifies only in the core category.
WEAK_METHODS = (*INITIAL_METHODS, "cjk_nickname", "cjk_initials", "cjk_transliteration")
# Words read by sound or by meaning are ordinary words first: only the brand's own product
# (its core category) makes them the brand; any other context counts as none.
CORE_ONLY_METHODS = ("cjk_transliteration",)
# ...and so is a one-word line read through a translation; a multi-word line matched word
# for word is specific enough for the brand's whole reach (a watch for a jeweller).
READ_METHODS = ("cjk_transliteration", "cjk_cognate")
W_CODE_NO_CONTEXT = -1.5
W_STYLE_NICKNAME = -3.2  # '<nickname>风' is the name of a style ('in the style of'), not the brand
W_EXACT_NAME = 0.5  # the brand's own name, written plainly, by a seller not known to be authorized
W_KIND_OF_THING = -3.0  # the line and the next words form a dictionary term ('aviator sunglasses')


@dataclass(frozen=True)
class Context:
    """Listing-level context, computed once per listing."""

    categories: frozenset[str]
    unrelated: bool
    phrases: tuple[PhraseHit, ...]
    price_usd: float | None
    folded_text: str
    words: tuple[str, ...]
    resale: bool = False
    designer: bool = False  # worded as designer goods ('luxury', 'dust bag')
    compat_ends: tuple[int, ...] = ()
    english: bool = False  # the listing is written in English (words are ordinary in English)


def listing_context(
    folded_text: str, toks: list[Token], phrases: list[PhraseHit], price: Money | None
) -> Context:
    words = tuple(t.plain for t in toks)
    cats: set[str] = set()
    for w in words:
        cats |= categories_of(w)
    for tok in toks:  # CJK product words appear inside longer runs
        if tok.is_cjk:
            for n in (1, 2, 3):
                cats |= categories_of(tok.raw[-n:])
    unrelated = any(w in UNRELATED_WORDS for w in words) or any(
        tok.is_cjk and any(u in tok.raw for u in UNRELATED_WORDS if not u.isascii())
        for tok in toks
    )
    usd = None
    if price is not None and price.amount > 0:
        usd = to_usd(price.amount, price.currency)
    resale = bool(RESALE_RE.search(folded_text))
    return Context(frozenset(cats), unrelated, tuple(phrases), usd, folded_text, words, resale,
                   bool(DESIGNER_RE.search(folded_text)), english=english(words))


def _english_commonness(words: tuple[str, ...]) -> float:
    """The key's words read as English (the lexicon's estimate, English frequencies only)."""
    if len(words) == 1:
        return zipf_en(words[0])
    return max(0.0, sum(zipf_en(w) for w in words) - 7.0 * (len(words) - 1))


def _chinese_commonness(word: str) -> float:
    """A registered Chinese name that CC-CEDICT lists as an ordinary word ('苹果' apple), not
    only as a proper noun ('华为' Huawei), is read at its Chinese frequency."""
    return headword_zipf(word) if word in common_words() else 0.0


def _commonness(cand: Candidate, ctx: Context) -> float:
    if cand.method in READ_METHODS:
        return 0.0  # the seller wrote a Chinese word: the Latin word's own frequency is moot
    if cand.method == "cjk":
        return _chinese_commonness(cand.key.display)
    if cand.method in ("exact", "code", "initial") or cand.key.kind == "line":
        if cand.key.kind in ("code", "derived", "monogram") and cand.method == "code":
            return 0.0  # codes are judged by their context, not as words
        if cand.key.kind == "line" and ctx.english:
            # a word is ordinary in the listing's own language: 'Triomphe' is not, in English
            return min(cand.key.commonness, _english_commonness(cand.key.words))
        return cand.key.commonness
    if cand.method == "disguised":
        return 0.0
    return zipf("".join(ch for ch in cand.seen.lower() if ch.isalnum()))


def _registered_code(cand: Candidate, info: BrandInfo) -> bool:
    """Whether a code is the owner's own (its name or an alias), not a line's opening word."""
    profile = info.profile
    return any(cand.key.compact == "".join(ch for ch in text.lower() if ch.isalnum())
               for text in (profile.name, *profile.aliases))


def price_feature(price_usd: float | None, floor: float | None) -> float:
    """Positive when the price is far below the brand's floor, negative when plausible."""
    if price_usd is None or floor is None or floor <= 0:
        return 0.0
    ratio = price_usd / floor
    return max(-2.8, min(1.6, 1.6 - 3.2 * (ratio - 0.5)))


def _names_product(ctx: Context, end: int, category: str) -> bool:
    """Whether the words right after a line name are a product noun of its category."""
    words = [w.strip(".,'") for w in ctx.folded_text[end:].split()[:4]]
    words = [w for w in words if w not in GENDER_WORDS and not w.endswith("'s")]
    return any(category in categories_of(w) for w in words[:2])


def _kind_of_thing(cand: Candidate, ctx: Context) -> str | None:
    """The dictionary term a line forms with the words after it, if any: 'Aviator' before
    'sunglasses' names a kind of sunglasses (CC-CEDICT glosses 'aviator sunglasses'), not
    the brand's line."""
    after = [w.strip(".,'") for w in ctx.folded_text[cand.end :].split()[:2]]
    for size in (2, 1):
        phrase = " ".join((*cand.key.words, *after[:size])).replace("-", " ")
        if len(after) >= size and phrase in dictionary_phrases():
            return phrase
    return None


@dataclass(frozen=True)
class Verdict:
    score: float
    logit: float
    notes: tuple[str, ...]
    names_product: bool = False  # a product line followed by a product noun of its category


def verify(cand: Candidate, ctx: Context, lex: Lexicon, support: bool = False) -> Verdict:
    """Calibrated probability that `cand` is the brand used as a brand in a risky listing.

    `support` says another, separate cue in the listing names the same brand.
    """
    info: BrandInfo = lex.brands[cand.brand_id]
    notes: list[str] = []
    logit = METHOD_BASE.get(cand.method, 0.0) + KIND_ADJUST.get(cand.key.kind, 0.0)
    if cand.key.kind == "code" and not _registered_code(cand, info):
        # read off a product line ('TB Monogram'): weaker than the owner's code or initials
        logit += W_LINE_CODE - KIND_ADJUST["code"]
    if cand.method == "exact" and cand.key.kind in ("name", "alias"):
        logit += W_EXACT_NAME
    if cand.method == "encoder":
        logit += 6.0 * (cand.similarity - 0.85)
    elif cand.method in ("misspelling", "phonetic"):
        logit += 4.0 * (cand.similarity - 0.8)
    elif cand.method == "truncation":
        logit += 2.0 * (cand.similarity - 0.6)
    elif cand.method == "cjk_cognate":
        logit += 3.0 * (cand.similarity - 0.7)  # rarer gloss words are less likely by chance
    common = _commonness(cand, ctx)
    weight = W_LINE_COMMON if cand.key.kind == "line" else W_COMMON
    floor_common = 2.0 if cand.key.kind == "line" else 3.0
    if common > floor_common:
        logit += weight * (common - floor_common)
        notes.append("also an ordinary word")
    reach = CATEGORY_REACH.get(info.category or "", frozenset({info.category or ""}))
    in_reach = ctx.categories & reach
    weak_identity = cand.method in WEAK_METHODS or cand.key.kind == "line"
    if ctx.resale:
        logit += W_RESALE
        notes.append("resale wording")
    if cand.key.kind == "line" and len(cand.key.words) == 1 and common >= 3.0 and not support:
        logit += W_ORDINARY_LINE
    kind_of_thing = _kind_of_thing(cand, ctx) if cand.key.kind == "line" else None
    if kind_of_thing:
        logit += W_KIND_OF_THING
        notes.append(f"'{kind_of_thing}' is a dictionary term for a kind of product")
    names_product = bool(
        cand.key.kind == "line" and info.category and not kind_of_thing
        and _names_product(ctx, cand.end, info.category))
    if support:
        logit += W_SUPPORT
        notes.append("other cues name the same brand")
    core_only = cand.method in CORE_ONLY_METHODS or (
        cand.method == "cjk_cognate" and len(content_words(cand.key.display)) <= 1)
    if core_only and not (info.category in ctx.categories and not ctx.unrelated):
        if ctx.unrelated or ctx.categories:
            logit += W_OFF_CATEGORY
            notes.append("product not the brand's own")
        else:
            logit += W_CODE_NO_CONTEXT
            notes.append("no product context")
    elif names_product:
        logit += W_LINE_NOUN
        notes.append("used as a product name")
        if ctx.designer:
            logit += W_DESIGNER_LINE
            notes.append("listing worded as designer goods")
    elif in_reach and not ctx.unrelated:
        core = info.category in in_reach
        if core or not weak_identity:  # codes and lines identify only in the core category
            logit += W_CATEGORY
            notes.append("product fits the brand")
    elif in_reach:
        notes.append("mixed product words")
    elif info.category and (ctx.unrelated or ctx.categories):
        logit += W_OFF_CATEGORY
        notes.append("product unrelated to the brand")
    elif weak_identity:
        logit += W_CODE_NO_CONTEXT  # a bare code or line needs product context ('GG belt')
        notes.append("no product context")
    if cand.method in INITIAL_METHODS:
        logit += 0.3 * (info.prior - 2.5)
    after = ctx.folded_text[cand.end :].split()[:1]
    if after and after[0].strip(".,") in STYLE_WORDS:
        logit += W_STYLE
        notes.append(f"'{after[0]}' describes a style")
    elif "style" in cand.disguises:
        logit += W_STYLE_NICKNAME
        notes.append("describes a style")
    if any(end <= cand.start for end in ctx.compat_ends):
        logit += W_COMPAT
        notes.append("compatibility wording")
    if ctx.phrases:
        logit += W_PHRASE
        notes.append("counterfeit phrase in listing")
    # Only a plausible price lowers the score here: a price under the floor is the fusion
    # stage's own `price` evidence (screening.fusion), so counting it here would count it twice.
    price = min(0.0, price_feature(ctx.price_usd, info.floor_usd))
    logit += price
    if price < -0.3:
        notes.append("price plausible for the brand")
    return Verdict(1.0 / (1.0 + math.exp(-logit)), logit, tuple(notes), names_product)
