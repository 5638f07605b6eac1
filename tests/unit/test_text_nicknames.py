"""Chinese nickname rules derived from a tiny, made-up catalogue (no shared data)."""

from __future__ import annotations

import pytest

from screening.text.evaluation import catalogue_of
from screening.text.glossary import cedict_glosses, gloss_keys, parse_cedict
from screening.text.lexicon import compile_catalogue
from screening.text.signal import TextSignal
from screening.types import BrandProfile, Catalogue, Money
from tests.unit.text_listing import top_flagged as top

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


COGNATE_BRANDS = [
    BrandProfile(id="verlaine", name="Verlaine",
                 product_lines=("Ballon Bleu", "Clic V", "Verlaine 9", "Bleu de Verlaine"),
                 category="jewelry", price_floor=Money(900, "USD")),
    BrandProfile(id="ostrava", name="Ostrava", product_lines=("Triomphe", "Classic Box"),
                 category="bags", price_floor=Money(800, "USD")),
]


@pytest.fixture(scope="module")
def cognates() -> Catalogue:
    return catalogue_of(COGNATE_BRANDS)


@pytest.fixture(scope="module")
def cognate_signal() -> TextSignal:
    return TextSignal(None)  # its own: compiled lexicons are cached by catalogue version


def test_cognate_words() -> None:
    from screening.text.glossary import cognate

    assert cognate("blue", "bleu") and cognate("balloon", "ballon")
    assert cognate("triumphal", "triomphe")  # one consonant frame t-r-m-p-h
    assert not cognate("clip", "clic")  # a different consonant
    assert not cognate("paris", "polaris")
    assert not cognate("moisturize", "moisturizing")  # English: only the same word counts
    assert not cognate("french", "frangy")  # not an established foreign word: an invented name


@pytest.mark.skipif(not cedict_glosses(), reason="CC-CEDICT package not installed")
def test_cognate_translations_of_lines(cognate_signal: TextSignal, cognates: Catalogue) -> None:
    from screening.text.glossary import cognate_index, cognate_translations

    index = cognate_index(compile_catalogue(cognates))
    assert {line.key.display for line in index.lines} == {
        "Ballon Bleu", "Triomphe", "Clic V", "Bleu de Verlaine"}  # less the brand's own name
    read = cognate_translations(index, "蓝气球")  # 蓝 'blue' + 气球 'balloon', any order
    assert [(line.key.display, words) for line, words in read] == [
        ("Ballon Bleu", ["blue", "balloon"])]
    assert cognate_translations(index, "气球") == []  # 'bleu' left unmatched
    watch = top(cognate_signal, cognates, "蓝气球 男士 手表 机械表")  # a jeweller's watch: in reach
    assert watch is not None and watch.brand_id == "verlaine"
    assert "'蓝气球' translates as 'blue balloon'" in watch.detail
    bag = top(cognate_signal, cognates, "凯旋门 女包 单肩包 斜挎包")
    assert bag is not None and bag.brand_id == "ostrava"


@pytest.mark.skipif(not cedict_glosses(), reason="CC-CEDICT package not installed")
@pytest.mark.parametrize("title", [
    "凯旋门 钥匙扣 巴黎 纪念品",  # the monument, no product of the brand
    "凯旋门 模型 摆件",
    "凯旋门 手链 女",  # a one-word line needs the brand's own category (bags)
    "蓝气球 派对 装饰 生日",  # party balloons
    "蓝色气球 生日 派对 100个",
    "蓝色 手链 女 简约",  # 'Bleu de <brand>' is one ordinary word once the name is set aside
])
def test_cognate_translations_stay_allowed_elsewhere(cognate_signal: TextSignal,
                                                     cognates: Catalogue, title: str) -> None:
    assert top(cognate_signal, cognates, title) is None
