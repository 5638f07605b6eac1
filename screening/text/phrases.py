"""Brand-independent context knowledge: counterfeit phrases, compatibility phrases,
product words per category, and how common a word is in ordinary language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

# Phrases sellers use to advertise copies. Each pattern is matched on the folded text.
_COUNTERFEIT = [
    r"\b1\s*[:：]\s*1\b(?!\s*\d)",
    r"\b(?:top|high|best|super|original)?\s*mirror\s*(?:quality|grade|image|copy|version|1\s*:\s*1)",
    r"\b(?:top|high)\s+mirror\b",
    r"\bmirror\s+(?:top|aaa)\b",
    r"\baaa\+*\s*(?:quality|grade|replica|copy|version|mirror|luxury)",
    r"\b(?:replica|rep|aaa\+*)\s+(?:aaa|quality|grade)\b",
    r"\breplicas?\b(?=.*\b(?:bag|watch|shoe|sneaker|belt|wallet|jewel|purse|hoodie|shirt|perfume))",
    r"\b(?:top|best|high)\s*quality\s*(?:copy|replica|fake|reps?)\b",
    r"\b(?:fake|knock\s*-?\s*off|counterfeit|bootleg|imitation|unauthori[sz]ed\s+copy)\b",
    r"\bdupes?\b",
    r"\bua\b(?=\s|$)",
    r"\bunauthori[sz]ed\s+authentic\b",
    r"\b(?:1\s*:\s*1|one\s+to\s+one)\s*(?:copy|replica|quality|version)",
    r"\breps?\b(?=\s+(?:bag|shoe|sneaker|watch|belt|hoodie))",
    r"\bsame\s+as\s+(?:original|authentic)\b",
    r"\boem\s+quality\b",
    r"\b(?:[一-鿿]*)(?:高仿|复刻|原单|1比1|一比一|莆田|顶级版|超a|精仿|a货)",
]
COUNTERFEIT_RE = re.compile("|".join(f"(?:{p})" for p in _COUNTERFEIT), re.IGNORECASE)

# Generic scale/grade uses of signal words are not counterfeit phrases.
_BENIGN_SIGNAL = re.compile(
    r"\b1\s*:\s*(?:[2-9]|\d\d+)\b|\bscale\s+replica|\breplica\s+of\b|\baaa\s+batter|"
    r"\baaa\s+grade\s+(?:natural|gem|stone|bead)|\bmirror\s+with\b|\bmakeup\s+mirror",
    re.IGNORECASE,
)


def word_set(text: str) -> frozenset[str]:
    """A set of space-separated words."""
    return frozenset(text.split())


# Compatibility: a brand named after these words is what the product fits, not its maker.
_COMPAT = (
    r"(?:\bfor\b|\bcompatible\s+with\b|\bfits?\b|\bfitting\b|\bworks\s+with\b|\bmade\s+for\b|"
    r"\bsuitable\s+for\b|\breplacement\s+for\b|\bto\s+fit\b|\badapter\s+for\b|适用于?|适配|兼容)"
)
COMPAT_RE = re.compile(_COMPAT + r"\s*$", re.IGNORECASE)
COMPAT_ANY = re.compile(_COMPAT, re.IGNORECASE)

CATEGORY_WORDS: dict[str, frozenset[str]] = {
    "bags": word_set(
        "bag bags handbag handbags purse purses tote totes clutch wallet wallets backpack "
        "crossbody satchel shoulder hobo bucket pouch luggage duffle keepall cardholder "
        "messenger briefcase belt belts 包 女包 钱包 卡包 链条包 斜挎包 手提包"
    ),
    "shoes": word_set(
        "shoe shoes sneaker sneakers trainer trainers boot boots loafer loafers heels "
        "heel pumps sandal sandals slipper slippers slides clog clogs mules runner "
        "runners espadrilles 鞋 运动鞋 老爹鞋"
    ),
    "clothing": word_set(
        "shirt tshirt tee hoodie hoodies sweatshirt jacket coat parka vest gilet sweater "
        "cardigan dress skirt jeans pants trousers shorts tracksuit jogger joggers "
        "windbreaker puffer polo scarf cap hat beanie socks swimsuit blazer trench down "
        "外套 羽绒服 卫衣 T恤"
    ),
    "accessories": word_set(
        "belt belts buckle waistband scarf tie pen pens cufflinks gloves umbrella sunglasses "
        "皮带 腰带"
    ),
    "jewelry": word_set(
        "necklace bracelet bangle ring rings earring earrings pendant choker charm charms "
        "brooch anklet jewelry jewellery 项链 手链 手镯 戒指 耳环"
    ),
    "watches": word_set(
        "watch watches wristwatch chronograph automatic diver dial bezel movement tourbillon "
        "表 手表 机械表"
    ),
    "eyewear": word_set("sunglasses glasses eyeglasses frames shades eyewear lens goggles 墨镜 眼镜"),
    "electronics": word_set(
        "earbuds earphones headphones headset speaker charger phone tablet laptop airpods "
        "earphone dryer styler vacuum card usb flash drive wireless bluetooth smartwatch "
        "smart fitness tracker watch iphone ipad macbook galaxy cable charging mouse "
        "player 耳机"
    ),
    "cosmetics": word_set(
        "lipstick lip gloss serum cream moisturizer foundation mascara eyeshadow palette "
        "essence toner lotion skincare makeup concealer blush 口红 精华液 面霜"
    ),
    "fragrance": word_set(
        "perfume parfum cologne edt edp fragrance scent eau spray candle candles diffuser 香水 香薰"
    ),
    "home": word_set("tumbler mug cup bottle cooler flask 杯 保温杯"),
}

# Which catalogue categories sell which kinds of products (brand-independent trade practice).
CATEGORY_REACH: dict[str, frozenset[str]] = {
    "bags": frozenset({"bags", "shoes", "clothing", "accessories", "jewelry", "eyewear", "fragrance", "cosmetics"}),
    "shoes": frozenset({"shoes", "clothing", "bags", "accessories", "eyewear"}),
    "clothing": frozenset({"clothing", "shoes", "bags", "accessories", "eyewear", "fragrance"}),
    "jewelry": frozenset({"jewelry", "accessories", "watches"}),
    "watches": frozenset({"watches", "jewelry"}),
    "eyewear": frozenset({"eyewear", "accessories"}),
    "electronics": frozenset({"electronics"}),
    "cosmetics": frozenset({"cosmetics", "fragrance"}),
    "fragrance": frozenset({"fragrance", "cosmetics"}),
    "accessories": frozenset({"accessories", "jewelry", "bags", "clothing"}),
    "home": frozenset({"home"}),
}

# Product nouns of marketplace departments that no fashion, beauty, watch or consumer-
# electronics brand in a catalogue sells (a generic department taxonomy: home and decor,
# kitchen, toys and games, books and stationery, arts and crafts, party, food and
# supplements, garden, pets, tools and hardware, vehicles and parts). Written from the
# taxonomy, not from the dev titles; a brand mention among these words is rarely the brand.
UNRELATED_WORDS = word_set(
    # home and decor
    "poster posters painting wallpaper tapestry decor decoration "
    "ornament figurine statue sculpture vase pillow pillowcase cushion "
    "blanket duvet quilt curtain curtains rug carpet doormat mat mats lamp lampshade chandelier "
    "magnet magnets sticker stickers decal decals clock shelf hook hooks towel "
    # kitchen and dining
    "kitchen slicer corer peeler grater cutter knife spatula pan pot skillet wok kettle "
    "teapot mug mugs plate plates bowl bowls tray cutlery chopsticks apron oven baking "
    # toys, games, party
    "toy toys plush doll dolls puzzle jigsaw game games boardgame lego blocks bricks "
    "diecast kite balloon balloons confetti pinata cosplay favors "
    # books, stationery, learning, cards
    "books novel textbook guide workbook notebook journal planner calendar exam "
    "flashcards cards greeting postcard stationery bookmark "
    # arts and crafts, collectibles
    "yarn fabric sewing embroidery patch patches beads bead stamp stamps "
    "trophy medal award plaque souvenir flag flags banner map maps specimen fossil "
    "shells seashell "
    # food, drink, supplements
    "candy chocolate snack snacks cookies coffee tea almonds nuts fruit fruits vegetable "
    "vegetables spice honey sauce softgels capsules tablets supplement supplements protein "
    # garden and outdoor
    "seeds seed plant plants lawn garden fertilizer planter pot soil hose sprinkler "
    "decoy decoys tent "
    # pets
    "pet pets dog dogs cat cats leash aquarium birdcage litter "
    # tools, hardware, electrical parts
    "tool tools drill screwdriver wrench hammer pliers screw screws bolt bolts nut washer "
    "washers nail nails hinge relay module resistor capacitor sensor antenna wire wiring "
    "generator filter pump valve gasket bearing "
    # vehicles and parts
    "car cars truck trucks bus van vehicle bicycle bike scooter motorcycle tire tires "
    "wiper bumper dashboard seat "
    # Chinese: toys, decor, food, garden, tools
    "玩具 毛绒 公仔 摆件 装饰画 海报 贴纸 冰箱贴 抱枕 靠垫 地毯 窗帘 种子 花盆 水果 蔬菜 "
    "零食 茶叶 奖杯 奖牌 文具 课本 工具 螺丝 汽车 自行车 宠物 猫砂 狗粮"
)

# Words that make a nearby brand word descriptive ("<brand> style <noun>") rather than a mark.
STYLE_WORDS = frozenset({"style", "styled", "inspired", "type", "like", "风格", "风", "款式"})


@dataclass(frozen=True)
class PhraseHit:
    start: int
    end: int
    text: str


def counterfeit_phrases(folded_text: str) -> list[PhraseHit]:
    """Counterfeit-advertising phrases in folded text (benign technical uses excluded)."""
    benign = [m.span() for m in _BENIGN_SIGNAL.finditer(folded_text)]
    hits: list[PhraseHit] = []
    for match in COUNTERFEIT_RE.finditer(folded_text):
        start, end = match.span()
        text = match.group(0).strip()
        if not text or any(b0 <= start < b1 or start <= b0 < end for b0, b1 in benign):
            continue
        lead = len(match.group(0)) - len(match.group(0).lstrip())
        start += lead
        end = start + len(text)
        if hits and not folded_text[hits[-1].end:start].strip():  # one phrase: '1:1 mirror quality'
            start = hits.pop().start
        hits.append(PhraseHit(start, end, folded_text[start:end]))
    return hits


def compat_scopes(folded_text: str, starts: list[int], max_words: int = 3) -> list[int]:
    """Ends of compatibility phrases that a brand mention follows within `max_words` words;
    every mention after such a phrase names what the product fits ('case for iPhone')."""
    ends: list[int] = []
    for match in COMPAT_ANY.finditer(folded_text):
        end = match.end()
        for start in starts:
            if start >= end and len(folded_text[end:start].split()) <= max_words:
                ends.append(end)
                break
    return ends


def compat_before(folded_text: str, start: int, max_words: int = 3) -> bool:
    """Whether a compatibility phrase ends within `max_words` words before `start`."""
    prefix = folded_text[:start].rstrip()
    words = prefix.split()
    for drop in range(0, min(max_words, len(words)) + 1):
        head = " ".join(words[: len(words) - drop]) if drop else prefix
        if COMPAT_RE.search(head):
            return True
    return False


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """Zipf frequency (0 = unseen, 7 = 'the'): English, or French/Spanish/Italian less 0.7."""
    if not word:
        return 0.0
    other = max(zipf_frequency(word, lang) for lang in ("fr", "es", "it"))
    return max(zipf_frequency(word, "en"), other - 0.7)


@lru_cache(maxsize=65536)
def zipf_en(word: str) -> float:
    """Zipf frequency in English alone."""
    return zipf_frequency(word, "en") if word else 0.0


def english(words: tuple[str, ...]) -> bool:
    """Whether a listing's Latin words read as English: most of its ordinary words are more
    frequent in English than in French, Spanish or Italian."""
    votes = 0
    for word in words:
        if len(word) < 3 or not word.isalpha() or not word.isascii():
            continue
        en, other = zipf_en(word), zipf(word)
        if max(en, other) < 3.0:
            continue  # rare in every language: a name, a model number
        votes += 1 if en >= other else -1
    return votes > 0


_CATEGORIES_OF: dict[str, frozenset[str]] = {}
for _cat, _words in CATEGORY_WORDS.items():
    for _w in _words:
        _CATEGORIES_OF[_w] = _CATEGORIES_OF.get(_w, frozenset()) | {_cat}

RESALE_RE = re.compile(
    r"\b(?:pre-?owned|pre-?loved|used|second\s*hand|refurbished|renewed|authenticated|"
    r"with\s+receipt|receipt|certificate|box\s+and\s+papers|full\s+set)\b|二手|中古",
    re.IGNORECASE,
)

# How sellers of designer goods (genuine or not) describe them; weaker than a counterfeit
# phrase, it only tells an ordinary word used as a line's name ('Puzzle bag') from the word.
DESIGNER_RE = re.compile(r"\b(?:luxury|designer|dust\s*bag)\b|奢侈|大牌|防尘袋", re.IGNORECASE)


def categories_of(word: str) -> frozenset[str]:
    """Catalogue categories whose products a word names ('watch' → watches, electronics)."""
    return _CATEGORIES_OF.get(word, frozenset())
