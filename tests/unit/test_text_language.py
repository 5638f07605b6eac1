"""A product line is an ordinary word only in the listing's own language (invented catalogue)."""

from __future__ import annotations

import pytest

from screening.text.evaluation import catalogue_of
from screening.text.phrases import english
from screening.text.signal import TextSignal
from screening.types import BrandProfile, Catalogue, Evidence, Money
from tests.unit.text_listing import best_score, evidence_for, top_flagged

BRANDS = [
    BrandProfile(id="ardenne", name="Ardenne Vallis", product_lines=("Mariposa", "Garden"),
                 category="bags", price_floor=Money(900, "USD")),
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return catalogue_of(BRANDS)


@pytest.fixture(scope="module")
def signal() -> TextSignal:
    return TextSignal(None)


def top(signal: TextSignal, catalogue: Catalogue, title: str) -> Evidence | None:
    return top_flagged(signal, catalogue, title, price=40)


def test_listing_language() -> None:
    assert english(("women", "shoulder", "bag", "leather"))
    assert not english(("sac", "pour", "femme", "cuir"))
    assert not english(("bolso", "mariposa", "para", "mujer", "de", "cuero"))
    assert not english(("2024", "zx"))  # nothing to vote on


def test_a_foreign_line_name_is_not_ordinary_in_an_english_listing(
        signal: TextSignal, catalogue: Catalogue) -> None:
    found = top(signal, catalogue, "Mariposa Bag Women Shoulder Handbag Leather")
    assert found is not None and found.brand_id == "ardenne"
    # in Spanish the same word is ordinary, and an English word stays ordinary in English
    assert top(signal, catalogue, "Bolso mariposa para mujer de cuero") is None
    assert top(signal, catalogue, "Garden Bag Women Tote Leather") is None


def test_a_chinese_name_that_is_an_ordinary_word_needs_more_than_itself() -> None:
    """A registered Chinese name CC-CEDICT lists as a common noun ('苹果' apple) is weighed as
    an ordinary word; a name CC-CEDICT knows only as a proper noun ('华为') is not."""
    brands = [BrandProfile(id="pingo", name="Pingo", aliases=("苹果",), category="electronics"),
              BrandProfile(id="huawa", name="Huawa", aliases=("华为",), category="electronics")]
    catalogue = catalogue_of(brands)
    assert best_score(catalogue, "苹果15 手机壳 硅胶") < 0.5 <= best_score(catalogue, "华为 手机壳 硅胶")


def test_chinese_style_word_after_a_name_reads_as_a_style_like_english_style() -> None:
    catalogue = catalogue_of([BrandProfile(id="kadia", name="Kadia", aliases=("卡迪雅",),
                                           category="jewelry", price_floor=Money(900, "USD"))])
    assert best_score(catalogue, "卡迪雅 风格 手镯 钛钢") < 0.5 <= best_score(catalogue, "卡迪雅 手镯 钛钢")


def test_parse_phrases_keeps_short_plain_glosses_of_any_sense() -> None:
    from screening.text.glossary import parse_phrases

    lines = ["# comment", "蛤蟆鏡 蛤蟆镜 [ha2 ma5 jing4] /aviator sunglasses/",
             "馬褡子 马褡子 [ma3 da1 zi5] /saddle-bag/pack/",
             "某 某 [mou3] /a very long gloss of many words/X-ray (film)/"]
    assert parse_phrases(lines) == frozenset({"aviator sunglasses", "saddle bag", "x ray"})


def test_a_line_that_forms_a_dictionary_term_with_the_next_word_is_that_kind_of_thing() -> None:
    """'Aviator sunglasses' and 'saddle bag' are what English calls kinds of product (the
    shipped dictionary glosses them); the same line before another noun is still the line."""
    catalogue = catalogue_of([
        BrandProfile(id="velmora", name="Velmora", product_lines=("Aviator",),
                     category="eyewear", price_floor=Money(150, "USD")),
        BrandProfile(id="sellier", name="Maison Sellier", product_lines=("Saddle",),
                     category="bags", price_floor=Money(900, "USD"))])
    assert best_score(catalogue, "Aviator Sunglasses Men Metal Frame Polarized") < 0.3
    assert best_score(catalogue, "Bike Saddle Bag Under Seat Waterproof Pouch") < 0.3
    assert best_score(catalogue, "Velmora Aviator Sunglasses 1:1 mirror quality") >= 0.9


def test_a_line_named_as_the_product_counts_beside_a_price_far_under_the_floor() -> None:
    """An ordinary-word line ('So Anna') before the brand's product noun is weak alone, but
    kept as evidence, so a price far under the floor sends the listing to review; the same
    words elsewhere, or at a plausible price, do not."""
    from screening.fusion import fuse
    from screening.policy import Thresholds, decide
    from screening.types import Decision, Listing

    shoes = catalogue_of([BrandProfile(id="velmora", name="Velmora Tessaro",
                                       product_lines=("So Anna",), category="shoes",
                                       price_floor=Money(700, "USD"))])
    signal = TextSignal(None)

    def decision(title: str, price: float) -> Decision:
        listing = Listing("t", title, price=Money(price, "USD"))
        evidence = evidence_for(signal, shoes, title, price)
        return decide(fuse(listing, evidence, shoes, 0.35), shoes, Thresholds(0.5, 0.85))[0]

    weak = evidence_for(signal, shoes, "So Anna Women High Heels Pumps", 30)
    assert weak and 0.2 <= weak[0].score < 0.3 and "used as a product name" in weak[0].detail
    assert decision("So Anna Women High Heels Pumps", 30) is Decision.REVIEW
    assert decision("So Anna Women High Heels Pumps", 650) is Decision.ALLOW
    assert evidence_for(signal, shoes, "So Anna said hello poster", 30) == []
    assert decision("Retro poster so Anna knows", 30) is Decision.ALLOW
