"""Which category a label in a report text names: "танків", "troop-carrying AFVs", "бойвих броньваних машин".

1. Typos: a word a letter or two away from one word of the category table (and no other) is corrected to
   it; a correction is refused when words of another category are that near.
2. Word stems per category (below), tried in an order that settles labels containing each other's words;
   then the labels of :mod:`bot.domain.categories` as whole words, for a category the stems do not know.
3. A check that the label's other table words belong to the category found, so that a typo in the word
   that tells two categories apart ("anri-aircraft") leaves the label unread rather than misread.

Pure functions over short strings; results are cached (bounded) because the same labels recur on every
line.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.domain.categories import CATEGORIES

__all__ = ["category_of", "is_label_word", "normalise_label"]


def normalise_label(text: str) -> str:
    text = text.casefold().replace("-", " ").replace("/", " / ").replace("&", " & ")
    return " ".join(text.split())


def _stems(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


_VEHICLE = r"vehicle|truck|\bauto\b|автомоб|автотехн|вантажів"
_FUEL = r"fuel|цистерн|\bпмм\b|tanker"

# Word stems per category, tried in this order on a normalised label; all patterns of an entry must match.
# Order matters because labels contain each other's words: "armoured personnel vehicle" is neither
# personnel nor vehicles, "vehicles and fuel tanks" is not tanks, "anti-aircraft" is not aircraft, "ground
# robotic vehicles" and "unmanned aerial vehicles" are not vehicles. Stems rather than whole labels, so that
# a new spelling of a clear category ("танки" for "танків", "вертольоти") still maps. Cruise missiles need
# "cruise"/"крилат": a bare "ракет" is too often prose ("ракетного удару") or the SRBM launchers'
# "ракетних комплексів". Personnel accepts the relays' "invaders", "окупантів" and "військових" (but not
# "військової техніки").
_STEMS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    ("ground_robotic_systems", _stems(r"robot|робот|\bugvs?\b|\bнрк\b|unmanned ground|наземн\w* безпілот")),
    (
        "afv",
        _stems(
            r"armou?r|броньов|\bббм\b|\bap[vc]s?\b|\bafvs?\b|\bifvs?\b|troop carrying|combat vehicle"
            r"|бойов\w* машин|\bбмп\b|\bбтр\b"
        ),
    ),
    ("srbm_launchers", _stems(r"srbm|\bо?трк\b|ballistic|балістичн|тактичн\w* ракетн|tactical missile")),
    (
        "uav",
        _stems(
            r"\buavs?\b|\bбпла\b|безпілот|drone|дрон|unmanned aerial"
            r"|operational tactical level|оперативно тактичного рівня"
        ),
    ),
    ("vehicles_fuel_tanks", _stems(_VEHICLE, _FUEL)),
    ("vehicles", _stems(_VEHICLE)),
    ("fuel_tanks", _stems(_FUEL)),
    ("tanks", _stems(r"\btanks?\b|танк")),
    (
        "personnel",
        _stems(
            r"personnel|особов|військовослужб|\btroops\b|soldiers|жив\w* сил|invader|окупант"
            r"|\bвійськов(?:і|их)\b"
        ),
    ),
    ("air_defense", _stems(r"anti ?aircraft|\bппо\b|air defen[cs]e|зенітн|протиповітрян|surface to air")),
    ("artillery", _stems(r"artiller|артилер|гармат|\bguns?\b|howitzer|гаубиц|артсистем")),
    ("mlrs", _stems(r"\bmlrs\b|\bmrls?\b|рсзв|multiple (?:rocket )?launch|rocket launcher|залпов")),
    ("helicopters", _stems(r"helicopter|гелікоптер|вертол[іьо]|\bchoppers?\b|rotary")),
    ("aircraft", _stems(r"aircraft|airplane|\bplanes?\b|\bjets?\b|літак")),
    ("cruise_missiles", _stems(r"crui|крилат")),
    ("submarines", _stems(r"submarin|підводн|\bsubs?\b")),
    ("ships", _stems(r"\bships?\b|warship|boat|cutter|кораб|катер|vessel")),
    ("special_equipment", _stems(r"special|спец")),
)

# The labels of bot.domain.categories, longest first, for a category the stems above do not know yet (one
# added to the table later). The stems come first because they settle the overlaps the table's plain
# substrings cannot: "anti-aircraft guns" contains the label "aircraft".
_TABLE_LABELS: dict[str, str] = {
    normalise_label(label): c.key for c in reversed(CATEGORIES) for label in (*c.labels_en, *c.labels_uk)
}
_TABLE_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(label) for label in sorted(_TABLE_LABELS, key=len, reverse=True))
    + r")(?!\w)"
)

# Labels relays write that the category table does not list; they widen the vocabulary the typo step and
# the label-word test use (the stems already read them).
_RELAY_LABELS: dict[str, tuple[str, ...]] = {
    "personnel": ("invaders", "окупантів", "військових", "військовослужбовців", "людей особового складу"),
    "afv": ("бойових броньованих машин", "armoured personnel vehicles"),
    "mlrs": ("реактивних систем залпового вогню", "multiple launch rocket systems"),
    "air_defense": ("засоби протиповітряної оборони", "air defence equipment", "air defense systems"),
    "helicopters": ("вертольотів",),
    "uav": (
        "безпілотників оперативно-тактичного рівня",
        "operational-tactical drones",
        "unmanned aerial vehicles",
    ),
    "ships": ("кораблів і катерів", "кораблів / катерів", "warships and boats", "ships / boats"),
    "submarines": ("підводний човен", "підводних човнів"),
    "vehicles_fuel_tanks": ("автомобілі та автоцистерни", "автомобільної техніки та автоцистерн"),
    "special_equipment": ("спеціальної техніки", "спецтехніки"),
    "ground_robotic_systems": ("наземних роботизованих комплексів",),
}

#: Labels and words remembered; a long noisy text brings many distinct ones, so the caches are bounded.
_CACHE = 4096

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")


def _vocabulary() -> dict[str, frozenset[str]]:
    """Every word of every category name, alias and label -> the categories whose labels use it."""
    found: dict[str, set[str]] = {}
    for c in CATEGORIES:
        phrases = (c.en, c.uk, *c.aliases, *c.labels_en, *c.labels_uk, *_RELAY_LABELS.get(c.key, ()))
        for phrase in phrases:
            for word in _WORD.findall(normalise_label(phrase.split("(")[0])):
                found.setdefault(word, set()).add(c.key)
    return {word: frozenset(keys) for word, keys in found.items()}


_VOCABULARY = _vocabulary()
# Ukrainian changes a word's ending with its case ("техніка", "техніки", "техніку"): the label-word test
# compares the first letters.
_PREFIX = 5
_PREFIXES = frozenset(word[:_PREFIX] for word in _VOCABULARY if len(word) >= _PREFIX)


def _stem_category(norm: str) -> str | None:
    for key, stems in _STEMS:
        if all(stem.search(norm) for stem in stems):
            return key
    match = _TABLE_RE.search(norm)
    return _TABLE_LABELS[match.group()] if match else None


@lru_cache(maxsize=_CACHE)
def category_of(label: str) -> str | None:
    """The canonical key a label names, or None."""
    norm = normalise_label(label)
    if not any(ch.isalpha() for ch in norm):
        return None
    corrected = _WORD.sub(lambda m: _correction(m.group()) or m.group(), norm)
    key = _stem_category(corrected)
    return key if key is not None and _consistent(key, _WORD.findall(corrected)) else None


#: Words of this length or less are connectors ("and", "та", "з", "of"), shared by many labels.
_CONNECTOR_LENGTH = 3


def _consistent(key: str, words: list[str]) -> bool:
    """Whether the label's words agree with KEY.

    The stems settle labels that contain each other's words by their order, which a typo in the telling
    word defeats: "anri-aircraft warfare systems" would read as aircraft, "fnel tanks" as tanks. So a label
    is refused when one of its table words belongs to other categories only, or a word that is in no label
    is a typo away from such a word. Prose (two or more words that are in no label, nor a typo away from
    one) is not a label, and its words are not held against it: "загальні бойові втрати … серед особового
    складу" is personnel although "бойові" belongs to another category's label."""
    strangers = [w for w in words if w not in _VOCABULARY and len(w) > _CONNECTOR_LENGTH and not _near(w)]
    if len(strangers) >= 2:
        return True
    known = [w for w in words if w in _VOCABULARY and len(w) > _CONNECTOR_LENGTH]
    near = [keys for w in words if w not in _VOCABULARY and len(w) > 2 for keys in _near(w)]
    return all(key in _VOCABULARY[w] for w in known) and all(key in keys for keys in near)


@lru_cache(maxsize=_CACHE)
def _near(word: str) -> tuple[frozenset[str], ...]:
    """The categories of each table word a typo away from WORD (any first letter, any length), or inside it
    (two words run together: "unmannedaerial"). Suspecting a typo only leaves a label unread, so from
    six letters on it reaches one edit further than a correction; shorter words would then match prose
    ("alone" is two edits from "drone")."""
    allowed = _allowed_edits(word) + (len(word) >= _MIN_TYPO_LENGTH)
    return tuple(
        keys
        for candidate, keys in _VOCABULARY.items()
        if edit_distance(word, candidate, limit=allowed) <= allowed
        or (len(candidate) >= _MIN_TYPO_LENGTH and candidate in word)
    )


# --- Typos -------------------------------------------------------------------------------------------

#: Words shorter than this are never corrected: "tanks" is one letter from "thanks", "ппо" from anything.
_MIN_TYPO_LENGTH = 6
#: From this length a word may be two edits away ("артилерйськх").
_TWO_EDITS_LENGTH = 9


def _allowed_edits(word: str) -> int:
    return 2 if len(word) >= _TWO_EDITS_LENGTH else 1


@lru_cache(maxsize=_CACHE)
def _correction(word: str) -> str | None:
    """The table word WORD is a typo of, or None.

    The nearest table word within the allowed edits, if no other is as near, and every other table word
    within one more edit belongs only to categories of that one, so a typo is never read as a neighbouring
    category ("танкив" is "танків"; a word between two categories' words is left alone). The first letter
    must agree: typos there are rare, and prose words one letter from a label mostly differ there
    ("groups", "troops")."""
    if len(word) < _MIN_TYPO_LENGTH or word in _VOCABULARY:
        return None
    allowed = _allowed_edits(word)
    near = sorted(
        (distance, candidate)
        for candidate in _VOCABULARY
        if len(candidate) >= _MIN_TYPO_LENGTH
        and (distance := edit_distance(word, candidate, limit=allowed + 1)) <= allowed + 1
    )
    if not near:
        return None
    distance, best = near[0]
    if distance > allowed or best[0] != word[0] or (len(near) > 1 and near[1][0] == distance):
        return None
    if any(not _VOCABULARY[other] <= _VOCABULARY[best] for _, other in near[1:]):
        return None
    return best


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from A to B; anything above LIMIT is LIMIT + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return min(row[-1], limit + 1)


# --- Label words -------------------------------------------------------------------------------------


@lru_cache(maxsize=_CACHE)
def is_label_word(word: str) -> bool:
    """Whether WORD belongs in a category label ("бойових", "systems", "рівня", a typo of one), rather than
    in prose ("втратила", "according"): a line made of label words and numbers only is a figure line."""
    word = word.casefold()
    if word in _VOCABULARY or category_of(word) is not None:
        return True
    return len(word) >= _PREFIX and (word[:_PREFIX] in _PREFIXES or _correction(word) is not None)
