"""Transliteration homophones of Latin brand names, on a made-up catalogue (no shared data)."""

from __future__ import annotations

import pytest

from screening.text.evaluation import catalogue_of
from screening.text.lexicon import compile_catalogue
from screening.text.signal import TextSignal
from screening.text.translit import latin_keys, pinyin_sounds, sound_index, transliterations
from screening.types import BrandProfile, Catalogue, Money
from tests.unit.text_listing import top_flagged as top

# An invented catalogue: 'Boluo' is spelt by ear as 菠萝 (bōluó, pineapple).
BRANDS = [
    BrandProfile(id="boluo", name="Boluo", category="bags", price_floor=Money(300, "USD")),
    BrandProfile(id="fendal", name="Orla Fendal", category="bags",
                 price_floor=Money(900, "USD")),
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return catalogue_of(BRANDS)


@pytest.fixture(scope="module")
def signal() -> TextSignal:
    return TextSignal(None)


def test_sound_strings_meet_in_one_alphabet() -> None:
    assert "goya" in latin_keys("goyard")  # French: silent final d, r dropped before it
    assert pinyin_sounds(("gou", "ya")) == ("goya",)
    assert pinyin_sounds(("gao", "ya")) == ("gaya",)  # 'ao' keeps its nucleus: not 'goya'
    assert "yezi" in latin_keys("yeezy")
    assert pinyin_sounds(("ye", "zi"))[0] == "yezi"
    assert pinyin_sounds(("si", "te"))[-1] == "st"  # lone-consonant syllables


def test_index_keys_rare_words_of_names_only(catalogue: Catalogue) -> None:
    lex = compile_catalogue(catalogue)
    index = sound_index(lex)
    words = {entry.word for entries in index.values() for entry in entries}
    assert "Boluo" in words and "Fendal" in words
    assert "Orla" not in words  # too short to be spelt by ear reliably
    assert [e.key.brand_id for e in transliterations(index, "菠萝")] == ["boluo"]
    assert transliterations(index, "忙碌") == []


def test_transliteration_needs_the_brands_own_product(signal: TextSignal,
                                                      catalogue: Catalogue) -> None:
    found = top(signal, catalogue, "菠萝 女包 单肩包 斜挎 Shoulder Bag")
    assert found is not None and found.brand_id == "boluo"
    assert "sounds like 'Boluo' (transliteration)" in found.detail
    assert "bōluó" in found.detail
    head = top(signal, catalogue, "菠萝钱包 女 长款")  # the head of a run naming the product
    assert head is not None and head.brand_id == "boluo"


@pytest.mark.parametrize("title", [
    "菠萝 新鲜 水果 5斤",  # the fruit
    "菠萝干 零食 500g",  # a longer word: not the run's own word
    "菠萝 种植 技术 书籍",  # a book about it
    "菠萝 毛绒玩具 公仔 抱枕",  # a toy
    "菠萝 卫衣 男 宽松",  # clothing: in a bag brand's reach, but not its own product
    "菠萝包 面包 早餐 10个",  # a dictionary word of its own (pineapple bun), not '菠萝' + bag
])
def test_ordinary_uses_of_the_word_stay_allowed(signal: TextSignal, catalogue: Catalogue,
                                                title: str) -> None:
    assert top(signal, catalogue, title) is None


def test_a_product_noun_is_never_read_as_a_brand_sound() -> None:
    """'表带' (biǎodài) is 'watch strap': it describes the item, whatever brand it sounds like."""
    from screening.text.nicknames import names_a_product

    assert names_a_product("表带") and names_a_product("鞋带") and names_a_product("包包")
    assert not names_a_product("菠萝") and not names_a_product("椰子")
    watches = catalogue_of([BrandProfile(id="padek", name="Padek", category="watches",
                                         price_floor=Money(5000, "USD"))])
    lex = compile_catalogue(watches)
    assert transliterations(sound_index(lex), "表带")  # it does sound like 'Padek'...
    assert top(TextSignal(None), watches, "华为 手表 表带 硅胶 运动") is None  # ...yet is a strap
