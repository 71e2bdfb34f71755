"""The canonical categories of the General Staff's daily report.

Keys are stable and shared by every table, importer, command and export. Adding a category that the
General Staff starts to report (as ground robotic systems were in May 2026) means adding one entry here;
nothing else in the code names categories one by one, except the pre-May-2022 merge below.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from bot.domain.dates import WAR_START

#: The war's first day; day numbers count from it (2024-10-25 is day 975).
#: From this report on, "vehicles" and "fuel tanks" are reported as one line.
MERGE_DATE = date(2022, 5, 1)


@dataclass(frozen=True)
class Category:
    key: str
    en: str
    uk: str
    #: First report date that carries the category.
    first_date: date = WAR_START
    #: Last report date for a retired category, else None.
    last_date: date | None = None
    #: Words people type in commands (either language, any case).
    aliases: tuple[str, ...] = ()
    #: Labels seen in real report texts (used by the report parser).
    labels_en: tuple[str, ...] = ()
    labels_uk: tuple[str, ...] = ()
    #: Emoji used when rendering a summary line.
    icon: str = field(default="▪️")
    #: This category's key in each public dataset: (source name, key) pairs.
    source_keys: tuple[tuple[str, str], ...] = ()

    @property
    def retired(self) -> bool:
        return self.last_date is not None

    def name(self, lang: str) -> str:
        return self.uk if lang == "uk" else self.en

    def active_on(self, day: date) -> bool:
        return self.first_date <= day and (self.last_date is None or day <= self.last_date)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "personnel",
        "Personnel",
        "Особовий склад",
        source_keys=(
            ("petroivaniuk", "personnel"),
            ("orc-losses", "personnel"),
            ("russianwarship", "personnel_units"),
        ),
        aliases=(
            "personnel",
            "troops",
            "people",
            "soldiers",
            "особовий склад",
            "особового складу",
            "особовий",
            "військові",
            "ос",
        ),
        labels_en=("personnel",),
        labels_uk=("особового складу", "особовий склад", "військовослужбовці"),
        icon="👤",
    ),
    Category(
        "tanks",
        "Tanks",
        "Танки",
        source_keys=(("petroivaniuk", "tank"), ("orc-losses", "tanks"), ("russianwarship", "tanks")),
        aliases=("tanks", "tank", "танки", "танк", "танків"),
        labels_en=("tanks",),
        labels_uk=("танків", "танки"),
        icon="🛡",
    ),
    Category(
        "afv",
        "Armoured combat vehicles",
        "Бойові броньовані машини",
        source_keys=(
            ("petroivaniuk", "APC"),
            ("orc-losses", "afvs"),
            ("russianwarship", "armoured_fighting_vehicles"),
        ),
        aliases=("afv", "afvs", "apv", "apc", "armoured vehicles", "armored vehicles", "ббм", "броня"),
        labels_en=(
            "apv",
            "armoured personnel vehicle",
            "armoured combat vehicles",
            "armored combat vehicles",
            "troop-carrying afvs",
            "armoured fighting vehicles",
        ),
        labels_uk=("бойових броньованих машин", "бойові броньовані машини", "ббм"),
        icon="🚙",
    ),
    Category(
        "artillery",
        "Artillery systems",
        "Артилерійські системи",
        source_keys=(
            ("petroivaniuk", "field artillery"),
            ("orc-losses", "artillery"),
            ("russianwarship", "artillery_systems"),
        ),
        aliases=("artillery", "arty", "guns", "артилерія", "арта", "артсистеми"),
        labels_en=("artillery systems",),
        labels_uk=("артилерійських систем", "артилерійські системи", "гармати"),
        icon="💥",
    ),
    Category(
        "mlrs",
        "MLRS",
        "РСЗВ",
        source_keys=(("petroivaniuk", "MRL"), ("orc-losses", "rocketSystems"), ("russianwarship", "mlrs")),
        aliases=("mlrs", "mrl", "рсзв"),
        labels_en=("mlrs",),
        labels_uk=("рсзв",),
        icon="🚀",
    ),
    Category(
        "air_defense",
        "Air defence systems",
        "Засоби ППО",
        source_keys=(
            ("petroivaniuk", "anti-aircraft warfare"),
            ("orc-losses", "airDefense"),
            ("russianwarship", "aa_warfare_systems"),
        ),
        aliases=("air_defense", "air defense", "air defence", "aa", "sam", "ппо"),
        labels_en=("anti-aircraft warfare systems", "anti-aircraft systems"),
        labels_uk=("засоби ппо", "засобів ппо"),
        icon="📡",
    ),
    Category(
        "aircraft",
        "Aircraft",
        "Літаки",
        source_keys=(
            ("petroivaniuk", "aircraft"),
            ("orc-losses", "fixedWingAircraft"),
            ("russianwarship", "planes"),
        ),
        aliases=("aircraft", "planes", "jets", "літаки", "літак"),
        labels_en=("aircraft",),
        labels_uk=("літаків", "літаки"),
        icon="✈️",
    ),
    Category(
        "helicopters",
        "Helicopters",
        "Гелікоптери",
        source_keys=(
            ("petroivaniuk", "helicopter"),
            ("orc-losses", "rotaryWingAircraft"),
            ("russianwarship", "helicopters"),
        ),
        aliases=("helicopters", "helicopter", "choppers", "гелікоптери", "гелікоптер", "вертольоти"),
        labels_en=("helicopters",),
        labels_uk=("гелікоптерів", "гелікоптери"),
        icon="🚁",
    ),
    Category(
        "uav",
        "Operational-tactical UAVs",
        "БпЛА оперативно-тактичного рівня",
        source_keys=(("petroivaniuk", "drone"), ("orc-losses", "uavs"), ("russianwarship", "uav_systems")),
        aliases=("uav", "uavs", "drones", "drone", "бпла", "дрони", "безпілотники"),
        labels_en=("uav operational-tactical level",),
        labels_uk=("бпла оперативно-тактичного рівня",),
        icon="🛸",
    ),
    Category(
        "cruise_missiles",
        "Cruise missiles",
        "Крилаті ракети",
        first_date=MERGE_DATE,
        source_keys=(
            ("petroivaniuk", "cruise missiles"),
            ("orc-losses", "missiles"),
            ("russianwarship", "cruise_missiles"),
        ),
        aliases=("cruise_missiles", "cruise missiles", "missiles", "крилаті ракети", "крилаті", "ракети"),
        labels_en=("cruise missiles",),
        labels_uk=("крилаті ракети", "крилатих ракет"),
        icon="🎯",
    ),
    Category(
        "ships",
        "Warships / boats",
        "Кораблі / катери",
        source_keys=(
            ("petroivaniuk", "naval ship"),
            ("orc-losses", "ships"),
            ("russianwarship", "warships_cutters"),
        ),
        aliases=("ships", "boats", "warships", "кораблі", "катери"),
        labels_en=("warships / boats", "boats / cutters"),
        labels_uk=("кораблі / катери",),
        icon="🚢",
    ),
    Category(
        "submarines",
        "Submarines",
        "Підводні човни",
        first_date=date(2023, 9, 14),
        source_keys=(
            ("petroivaniuk", "submarines"),
            ("orc-losses", "submarines"),
            ("russianwarship", "submarines"),
        ),
        aliases=("submarines", "submarine", "підводні човни", "підводні"),
        labels_en=("submarines",),
        labels_uk=("підводні човни", "підводних човнів"),
        icon="🌊",
    ),
    Category(
        "vehicles_fuel_tanks",
        "Vehicles and fuel tanks",
        "Автомобільна техніка та автоцистерни",
        source_keys=(
            ("petroivaniuk", "vehicles and fuel tanks"),
            ("orc-losses", "unarmoredVehicles"),
            ("russianwarship", "vehicles_fuel_tanks"),
        ),
        aliases=(
            "vehicles_fuel_tanks",
            "vehicles",
            "trucks",
            "fuel tanks",
            "автотехніка",
            "автомобілі",
            "цистерни",
        ),
        labels_en=("vehicles and fuel tanks", "vehicles & fuel tanks"),
        labels_uk=(
            "автомобільної техніки та автоцистерн",
            "автомобільна техніка та автоцистерни",
            "автомобільна техніка та цистерни з пмм",
        ),
        icon="🚚",
    ),
    Category(
        "special_equipment",
        "Special equipment",
        "Спеціальна техніка",
        first_date=date(2022, 3, 16),
        source_keys=(
            ("petroivaniuk", "special equipment"),
            ("orc-losses", "specialEquipment"),
            ("russianwarship", "special_military_equip"),
        ),
        aliases=("special_equipment", "special equipment", "special", "спецтехніка", "спеціальна техніка"),
        labels_en=("special equipment",),
        labels_uk=("спеціальна техніка", "спеціальної техніки"),
        icon="🔧",
    ),
    Category(
        "ground_robotic_systems",
        "Ground robotic systems",
        "Наземні роботизовані комплекси",
        source_keys=(("petroivaniuk", "ground robotic systems"),),
        first_date=date(2026, 5, 3),
        aliases=(
            "ground_robotic_systems",
            "ground robots",
            "robots",
            "ugv",
            "нрк",
            "наземні роботи",
            "роботи",
        ),
        labels_en=("ground robotic systems",),
        labels_uk=("наземні роботизовані комплекси", "наземні робототехнічні комплекси"),
        icon="🤖",
    ),
    Category(
        "vehicles",
        "Vehicles (retired)",
        "Автомобільна техніка",
        last_date=date(2022, 4, 30),
        source_keys=(
            ("petroivaniuk", "military auto"),
            ("orc-losses", "unarmoredVehicles"),
            ("russianwarship", "vehicles_fuel_tanks"),
        ),
        labels_en=("vehicles",),
        labels_uk=("автомобільної техніки", "автомобільна техніка"),
        icon="🚗",
    ),
    Category(
        "fuel_tanks",
        "Fuel tanks (retired)",
        "Цистерни з ПММ",
        last_date=date(2022, 4, 30),
        source_keys=(("petroivaniuk", "fuel tank"),),
        labels_en=("fuel tanks",),
        labels_uk=("цистерн з пмм", "цистерни з пмм"),
        icon="⛽",
    ),
    Category(
        "srbm_launchers",
        "Mobile SRBM launchers (retired)",
        "Пускові установки ОТРК/ТРК",
        source_keys=(("petroivaniuk", "mobile SRBM system"), ("russianwarship", "atgm_srbm_systems")),
        first_date=date(2022, 3, 26),
        last_date=date(2022, 4, 30),
        aliases=("srbm_launchers", "srbm", "отрк"),
        labels_en=("mobile srbm system",),
        labels_uk=("пускові установки отрк/трк", "пу отрк/трк"),
        icon="🚀",
    ),
)

BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}
KEYS: tuple[str, ...] = tuple(c.key for c in CATEGORIES)


def category(key: str) -> Category:
    """The category with this canonical key; KeyError for an unknown key."""
    return BY_KEY[key]


def _normalise(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


_ALIASES: dict[str, str] = {}
for _c in CATEGORIES:
    for _name in (_c.key, _c.en, _c.uk, *_c.aliases):
        _ALIASES.setdefault(_normalise(_name), _c.key)


def resolve_category(text: str) -> Category | None:
    """The category a person means by TEXT (key, alias or name, either language, any case)."""
    key = _ALIASES.get(_normalise(text))
    return BY_KEY[key] if key else None


#: How alike a typo must be to a name (difflib's ratio) to be suggested: "tnaks" → tanks is 0.8,
#: "tonks" 0.8; "cats" → "tanks" 0.67 is left without a suggestion.
SUGGEST_CUTOFF = 0.75


def suggest_category(text: str) -> tuple[str, Category] | None:
    """The name closest to a mistyped TEXT ("tnaks" → "tanks", "танкі" → "танки") and its category, or None
    when nothing is close: a "did you mean" for either language, over keys, names and aliases."""
    typed = _normalise(text)
    close = difflib.get_close_matches(typed, _ALIASES, n=1, cutoff=SUGGEST_CUTOFF)
    if not close:
        return None
    found = BY_KEY[_ALIASES[close[0]]]
    return _suggested_name(typed, close[0], found), found


def _suggested_name(typed: str, matched: str, found: Category) -> str:
    """What to suggest typing: the matched name, unless it is a Ukrainian genitive plural ("танків" is
    what a question says, not a name), then the category's closest other name in the same script."""
    if not matched.endswith("ів"):
        return matched
    cyrillic = [
        name
        for name in (_normalise(n) for n in (found.uk, *found.aliases))
        if not name.endswith("ів") and not name.isascii()
    ]
    best = difflib.get_close_matches(typed, cyrillic, n=1, cutoff=0)
    return best[0] if best else matched
