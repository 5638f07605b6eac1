"""The rule side of the text signal on a small catalogue (no encoder, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.text.evaluation import catalogue_of, load_brands
from screening.text.signal import TextSignal
from screening.types import Catalogue, Evidence, Listing, Money, ScreeningInput
from tests.unit.text_listing import evidence_for

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "text_brands.tsv"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return catalogue_of(load_brands(FIXTURE))


@pytest.fixture(scope="module")
def signal() -> TextSignal:
    return TextSignal(None)


def top(signal: TextSignal, catalogue: Catalogue, title: str, price: float | None = None,
        description: str = "") -> Evidence | None:
    evidence = evidence_for(signal, catalogue, title, price, description)
    return evidence[0] if evidence else None


@pytest.mark.parametrize(("title", "brand_id"), [
    ("Gucci shoulder bag women", "gucci"),
    ("G U C C I shoulder bag", "gucci"),
    ("PR*DA nylon backpack", "prada"),
    ("P.R.A.D.A tote bag", "prada"),
    ("Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ wallet", "louis-vuitton"),
    ("Сhаnеl flap bag", "chanel"),  # Cyrillic look-alikes
    ("ch@n3l quilted purse", "chanel"),
    ("Pra\u200bda handbag", "prada"),
    ("Bottega Veneto woven clutch", "bottega-veneta"),
    ("min min shoulder bag", "miu-miu"),
    ("Shanel classic handbag", "chanel"),
    ("YSL envelope clutch bag", "saint-laurent"),
    ("Yves St Laurent envelope clutch", "saint-laurent"),  # standard abbreviation
    ("Cartler love bracelet", "cartier"),  # l↔i
    ("香奈儿 链条包", "chanel"),
    ("驴家 钱包", "louis-vuitton"),
])
def test_disguised_names_are_found(signal: TextSignal, catalogue: Catalogue, title: str,
                                   brand_id: str) -> None:
    found = top(signal, catalogue, title, price=25.0)
    assert found is not None and found.brand_id == brand_id, title
    assert found.score >= 0.5, (title, found)


@pytest.mark.parametrize("title", [
    "Silicone case for iPhone 15 compatible with Apple Watch charger",
    "Coach bus seat cover replacement 2 pack",
    "Puma animal print throw pillow cushion",
    "Plain canvas tote bag for groceries",
    "Mini handheld fan rechargeable",
    "LV distribution board electrical panel",  # a code with no product context
])
def test_common_words_and_compatibility_are_not_flagged(signal: TextSignal, catalogue: Catalogue,
                                                         title: str) -> None:
    found = top(signal, catalogue, title, price=9.0)
    assert found is None or found.score < 0.5, (title, found)


def test_evidence_explains_the_look_alike_and_points_into_the_title(
        signal: TextSignal, catalogue: Catalogue) -> None:
    title = "New min min shoulder bag"
    found = top(signal, catalogue, title)
    assert found is not None and found.field == "title" and found.span is not None
    assert title[found.span[0]:found.span[1]] == "min min"
    assert "'min min' reads as 'Miu Miu'" in found.detail and "u↔n look-alike" in found.detail


def test_description_is_read_too(signal: TextSignal, catalogue: Catalogue) -> None:
    found = top(signal, catalogue, "Quilted flap bag", description="same as ch@nel, 1:1 quality")
    assert found is not None and found.brand_id == "chanel" and found.field == "description"


def test_counterfeit_phrase_raises_the_score_and_is_flagged(
        signal: TextSignal, catalogue: Catalogue) -> None:
    plain = top(signal, catalogue, "Gucci belt")
    listing = Listing("t", "Gucci belt 1:1 mirror quality")
    output = signal.evaluate(ScreeningInput(listing, (), catalogue))
    assert plain is not None and output.evidence[0].score > plain.score
    assert [(f.code, f.detail, f.span) for f in output.flags] == [
        ("counterfeit_phrase", "'1:1 mirror quality'", (11, 29))]


def test_plausible_price_lowers_the_score(signal: TextSignal, catalogue: Catalogue) -> None:
    cheap = top(signal, catalogue, "Prada Galleria bag", price=40.0)
    genuine = top(signal, catalogue, "Prada Galleria bag", price=2500.0)
    assert cheap is not None and cheap.score >= 0.5
    assert genuine is None or genuine.score < cheap.score


def test_style_nickname_is_not_the_brand(signal: TextSignal, catalogue: Catalogue) -> None:
    nickname = top(signal, catalogue, "小香 链条包")
    style = top(signal, catalogue, "小香风 外套")
    assert nickname is not None and nickname.brand_id == "chanel" and nickname.score >= 0.5
    assert style is None or style.score < 0.5


def test_a_brand_registered_later_is_found_without_retraining(signal: TextSignal) -> None:
    brands = load_brands(FIXTURE)
    from screening.types import BrandProfile

    new = BrandProfile(id="zorvane", name="Zorvane", category="bags",
                       price_floor=Money(500, "USD"))
    catalogue = catalogue_of([*brands, new], version=2)
    found = top(signal, catalogue, "Z0rvane leather tote bag")
    assert found is not None and found.brand_id == "zorvane" and found.score >= 0.5


def test_designer_wording_lifts_an_ordinary_word_named_as_the_lines_product() -> None:
    from screening.types import BrandProfile

    maker = BrandProfile(id="loewe", name="Loewe", product_lines=("Puzzle",), category="bags",
                         price_floor=Money(700, "USD"))
    catalogue = catalogue_of([maker])

    def score(title: str) -> float:
        found = top(TextSignal(None), catalogue, title, price=18.0)
        return found.score if found is not None else 0.0

    plain = score("Puzzle Bag Women Shoulder Bag")
    designer = score("Luxury Puzzle Bag Women Shoulder Bag with Dust Bag")
    assert designer > plain
    assert score("Luxury Jigsaw Puzzle 1000 Pieces") < 0.2  # not the line's product
