"""Normalizer and string keys: folded views keep offsets into the original text."""

from __future__ import annotations

from screening.text.keys import lookalike_reasons, phonetic, pinyin, skeleton
from screening.text.normalize import fold, tokens


def test_fold_maps_every_character_back_to_the_original() -> None:
    text = "Ｇｕｃｃｉ bag"
    folded = fold(text)
    assert folded.text == "gucci bag"
    start, end = folded.span(0, 5)
    assert text[start:end] == "Ｇｕｃｃｉ"


def test_invisible_characters_are_dropped_and_remembered() -> None:
    folded = fold("Pra\u200bda")
    assert folded.text == "prada"
    (token,) = tokens(folded)
    assert "invisible" in token.kinds


def test_cyrillic_and_styled_letters_fold_to_latin() -> None:
    assert fold("Сhаnеl").text == "chanel"  # Cyrillic С, а, е
    assert fold("𝑪𝒉𝒂𝒏𝒆𝒍").text == "chanel"
    assert fold("🅶🆄🅲🅲🅸").text == "gucci"
    kinds = tokens(fold("Сhаnеl"))[0].kinds
    assert "homoglyph" in kinds


def test_accents_are_spelling_not_disguise() -> None:
    (token,) = tokens(fold("Céline"))
    assert token.plain == "celine" and not token.kinds


def test_tokens_read_leet_masks_and_dots() -> None:
    leet, masked, dotted = tokens(fold("ch@n3l pr*da g.u.c.c.i"))
    assert leet.leet == "chanel" and "leet" in leet.kinds
    assert masked.masked and "mask" in masked.kinds
    assert dotted.dotted and dotted.plain == "gucci"


def test_skeleton_equates_look_alike_swaps() -> None:
    assert skeleton("minmin") == skeleton("miumiu")
    assert skeleton("rnango") == skeleton("mango")
    assert skeleton("prada") != skeleton("panda")


def test_lookalike_reasons_name_the_swap() -> None:
    assert "u↔n look-alike" in lookalike_reasons("minmin", "miumiu")
    assert "rn↔m look-alike" in lookalike_reasons("rnoncler", "moncler")


def test_phonetic_key_merges_spellings_of_one_sound() -> None:
    assert phonetic("shanel") == phonetic("chanel")
    assert phonetic("filipp") == phonetic("philip")
    assert phonetic("gucci") != phonetic("prada")


def test_pinyin_of_chinese_names() -> None:
    assert pinyin("古驰") == "guchi"
