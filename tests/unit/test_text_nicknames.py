"""Chinese nickname rules derived from a tiny, made-up catalogue (no shared data)."""

from __future__ import annotations

import pytest

from screening.text.evaluation import catalogue_of
from screening.text.glossary import cedict_glosses, gloss_keys, parse_cedict
from screening.text.lexicon import compile_catalogue
from screening.text.signal import TextSignal
from screening.types import BrandProfile, Catalogue, Evidence, Listing, Money, ScreeningInput

BRANDS = [
    BrandProfile(id="zorvane", name="Zorvane", aliases=("佐凡娜",), category="bags",
                 price_floor=Money(800, "USD")),
    BrandProfile(id="arctic-goose", name="Arctic Goose", aliases=("北冰洋鹅",),
                 category="clothing", price_floor=Money(600, "USD")),
    BrandProfile(id="qmz", name="Quill Marrow Zeit", aliases=("QMZ",), category="bags",
                 price_floor=Money(900, "USD")),
    BrandProfile(id="tallis", name="Tallis", product_lines=("Hourglass", "Love"),
                 category="bags", price_floor=Money(1000, "USD")),
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return catalogue_of(BRANDS)


@pytest.fixture(scope="module")
def signal() -> TextSignal:
    return TextSignal(None)


def top(signal: TextSignal, catalogue: Catalogue, title: str) -> Evidence | None:
    listing = Listing("t", title, price=Money(30, "USD"))
    evidence = signal.evaluate(ScreeningInput(listing, (), catalogue)).evidence
    return evidence[0] if evidence and evidence[0].score >= 0.5 else None


def test_parse_cedict_keeps_the_first_sense_without_parentheticals() -> None:
    table = parse_cedict([
        "# comment",
        "沙漏 沙漏 [sha1 lou4] /hourglass (timer)/sand filter/",
        "愛 爱 [ai4] /to love/affection/",
        "戀愛 恋爱 [lian4 ai4] /(romantic) love/in love/",
    ])
    assert table["hourglass"] == ("沙漏",)
    assert "sand filter" not in table
    assert table["love"] == ("恋爱",)


def test_gloss_keys_translate_rare_whole_lines_only(catalogue: Catalogue) -> None:
    lex = compile_catalogue(catalogue)
    table = {"hourglass": ("沙漏",), "love": ("恋爱",), "goose": ("鹅",)}
    keys = gloss_keys(lex, table)
    assert [k.display for k in keys["沙漏"]] == ["Hourglass"]
    assert "恋爱" not in keys  # 'love' is an ordinary word: its translation is ordinary too
    assert [k.brand_id for k in keys["洋鹅"]] == ["arctic-goose"]  # tail holding 'goose'


def test_doubled_last_syllable_of_a_chinese_name(signal: TextSignal, catalogue: Catalogue) -> None:
    found = top(signal, catalogue, "佐帆帆 手提包 女")  # zuo fan fan for zuo fan na
    assert found is not None and found.brand_id == "zorvane"
    assert top(signal, catalogue, "佐佐 手提包 女") is None


def test_pinyin_initials_spell_a_registered_code(signal: TextSignal, catalogue: Catalogue) -> None:
    found = top(signal, catalogue, "齐明哲 手提包 女")  # q-m-z
    assert found is not None and found.brand_id == "qmz"
    assert top(signal, catalogue, "齐明哲 天然 护发 500ml") is None  # no product of the brand


@pytest.mark.skipif(not cedict_glosses(), reason="CC-CEDICT package not installed")
def test_dictionary_translations(signal: TextSignal, catalogue: Catalogue) -> None:
    line = top(signal, catalogue, "沙漏包 女 单肩包")
    assert line is not None and line.brand_id == "tallis"
    assert top(signal, catalogue, "沙漏 计时器 摆件") is None  # not a product of the brand
    short = top(signal, catalogue, "洋鹅 羽绒服 外套")
    assert short is not None and short.brand_id == "arctic-goose"
    assert top(signal, catalogue, "洋鹅 毛绒玩具 抱枕") is None
