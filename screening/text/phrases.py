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
    "fragrance": word_set("perfume parfum cologne edt edp fragrance scent eau spray 香水"),
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

# Nouns that say the product is something no fashion/electronics brand page would sell.
UNRELATED_WORDS = word_set(
    "poster print canvas art museum magnet sticker stickers candle pillow cushion game "
    "cards board toy toys plush figurine kit model decoy flag map lamp light antenna "
    "relay module washers washer filter generator seeds lawn mats mat floor seat cover "
    "bus car truck slicer corer cutter kitchen pan tool tools book guide exam greeting "
    "mug balloons patch shell shells specimen candy almonds oil softgels capsules "
    "supplement trophy award cup puzzle pieces jigsaw projector cable battery batteries "
    "beads strand costume bicycle bike curtains panels diaper crab keychain souvenir "
    "decor wall typography verse bible court reading clip claw fridge 玩具 摆件 种子 奖杯 水果 冰箱贴 "
    "抱枕 公仔 发夹 老花镜"
)

# Words that make a nearby brand word descriptive ("Tiffany style lamp") rather than a mark.
STYLE_WORDS = frozenset({"style", "styled", "inspired", "type", "like"})


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
        hits.append(PhraseHit(start + lead, start + lead + len(text), text))
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


_CATEGORIES_OF: dict[str, frozenset[str]] = {}
for _cat, _words in CATEGORY_WORDS.items():
    for _w in _words:
        _CATEGORIES_OF[_w] = _CATEGORIES_OF.get(_w, frozenset()) | {_cat}

RESALE_RE = re.compile(
    r"\b(?:pre-?owned|pre-?loved|used|second\s*hand|refurbished|renewed|authenticated|"
    r"with\s+receipt|receipt|certificate|box\s+and\s+papers|full\s+set)\b|二手|中古",
    re.IGNORECASE,
)


def categories_of(word: str) -> frozenset[str]:
    """Catalogue categories whose products a word names ('watch' → watches, electronics)."""
    return _CATEGORIES_OF.get(word, frozenset())
