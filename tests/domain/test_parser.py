"""The report parser: real reports from ../shared/messages, and the traps real reports hold.

Texts written here are the project's own, built from published figures; the real messages are only read
from ../shared, never copied.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.categories import CATEGORIES, KEYS
from bot.domain.parse_warning import quote
from bot.domain.parser import NotAReport, ParsedReport, parse_report

SHARED = Path(__file__).resolve().parents[3] / "shared"
MESSAGES = SHARED / "messages"
#: The same daily reports as news sites and relays rewrite them (number first, words, prose).
RELAYS = SHARED / "messages-relays"

#: The report of 2024-10-25 (total, increase), as published.
FIGURES_2024_10_25: dict[str, tuple[int, int]] = {
    "personnel": (685910, 1630),
    "tanks": (9097, 7),
    "afv": (18287, 33),
    "artillery": (19753, 34),
    "mlrs": (1238, 2),
    "air_defense": (982, 1),
    "aircraft": (369, 0),
    "helicopters": (329, 0),
    "uav": (17670, 73),
    "cruise_missiles": (2625, 0),
    "ships": (28, 0),
    "submarines": (1, 0),
    "vehicles_fuel_tanks": (27365, 79),
    "special_equipment": (3535, 22),
}
UK_LABELS = {
    "personnel": "особового складу",
    "tanks": "танків",
    "afv": "бойових броньованих машин",
    "artillery": "артилерійських систем",
    "mlrs": "РСЗВ",
    "air_defense": "засоби ППО",
    "aircraft": "літаків",
    "helicopters": "гелікоптерів",
    "uav": "БпЛА оперативно-тактичного рівня",
    "cruise_missiles": "крилаті ракети",
    "ships": "кораблі / катери",
    "submarines": "підводні човни",
    "vehicles_fuel_tanks": "автомобільної техніки та автоцистерн",
    "special_equipment": "спеціальна техніка",
}
AS_OF = date(2024, 10, 25)


def official_uk(figures: dict[str, tuple[int, int]], heading: str = "з 24.02.22 по 25.10.24") -> str:
    """A report in the General Staff's Ukrainian layout: heading, then "label ‒ total (+N) од," lines."""
    lines = [f"Загальні бойові втрати противника {heading} орієнтовно склали:"]
    lines += [f"{UK_LABELS[key]} ‒ {total} (+{inc}) од," for key, (total, inc) in figures.items()]
    return "\n".join(lines)


def totals_of(figures: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {key: total for key, (total, _) in figures.items()}


def increases_of(figures: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {key: inc for key, (_, inc) in figures.items()}


# --- Real reports ------------------------------------------------------------------------------------


def _shared_messages() -> list[Any]:
    files = [
        path for folder in (MESSAGES, RELAYS) if folder.is_dir() for path in sorted(folder.glob("*.txt"))
    ]
    if not files:
        reason = f"no real reports at {MESSAGES} (clone the project beside ../shared)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="shared-absent")]
    return [pytest.param(path, id=f"{path.parent.name}/{path.stem}") for path in files]


@pytest.mark.parametrize("path", _shared_messages())
def test_real_report_reads_as_published(path: Path) -> None:
    expected = json.loads(path.with_name(f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    as_of = date.fromisoformat(expected["as_of"])

    report = parse_report(path.read_text(encoding="utf-8"), as_of=as_of)

    assert report.report_date.isoformat() == expected["report_date"]
    assert report.totals == expected["totals"]
    assert report.increases == expected["increases"]
    assert report.date_in_text is expected["date_in_text"]
    if not expected["date_in_text"]:
        assert f"no date found, used {as_of}" in report.warnings


# --- Whole reports -----------------------------------------------------------------------------------


def test_official_layout_gives_every_figure_and_no_warning() -> None:
    report = parse_report(official_uk(FIGURES_2024_10_25), as_of=AS_OF)

    assert report.report_date == date(2024, 10, 25)
    assert report.date_in_text
    assert report.totals == totals_of(FIGURES_2024_10_25)
    assert report.increases == increases_of(FIGURES_2024_10_25)
    assert report.warnings == []


def test_as_json_is_what_the_api_promises() -> None:
    report = parse_report("з 24.02.22 по 25.10.24\nтанків ‒ 9097 (+7)\nлітаків ‒ 369", as_of=AS_OF)

    assert json.loads(json.dumps(report.as_json())) == {
        "report_date": "2024-10-25",
        "totals": {"tanks": 9097, "aircraft": 369},
        "increases": {"tanks": 7},
        "warnings": report.warnings,
    }
    assert report.warnings == [
        "not in the text: personnel, afv, artillery, mlrs, air_defense, helicopters, uav, cruise_missiles, "
        "ships, submarines, vehicles_fuel_tanks, special_equipment"
    ]


def test_one_paragraph_media_rewrite_reads_its_figures_and_not_its_prose() -> None:
    text = (
        "Втрати ворога з 24.02.22 до 24.04.23 орієнтовно склали: "
        "особового складу — близько 187080 (+660) осіб, "
        "танків — 3683 (+8) од., крилатих ракет — 911 (+0) од., спеціальної техніки — 339 (+0). од. "
        "Нагадаємо, за добу противник завдав 1 ракетного та 46 авіаційних ударів."
    )

    report = parse_report(text, as_of=date(2023, 4, 24))

    assert report.report_date == date(2023, 4, 24)
    assert report.totals == {
        "personnel": 187080,
        "tanks": 3683,
        "cruise_missiles": 911,
        "special_equipment": 339,
    }
    assert report.increases == {"personnel": 660, "tanks": 8, "cruise_missiles": 0, "special_equipment": 0}
    assert any(w.startswith('could not read: "Нагадаємо') for w in report.warnings)


def test_prose_about_the_day_is_not_a_report() -> None:
    # "11 бойових броньованих машин" is the day's loss here, not a total: prose is never read as figures.
    text = "Сили оборони знищили ще чотири російські танки, 11 бойових броньованих машин, 19 артсистем."

    with pytest.raises(NotAReport, match="no line with a category and a number"):
        parse_report(text, as_of=AS_OF)


# --- Labels ------------------------------------------------------------------------------------------

TABLE_LABELS = [
    pytest.param(label, c.key, id=f"{c.key}:{label}")
    for c in CATEGORIES
    for label in (*c.labels_en, *c.labels_uk)
]


@pytest.mark.parametrize(("label", "key"), TABLE_LABELS)
def test_every_label_of_the_category_table_reads_as_its_category(label: str, key: str) -> None:
    # April 2022, when the retired lines (vehicles, fuel tanks, SRBM launchers) were still reported.
    as_of = date(2022, 4, 20)

    label_first = parse_report(f"{label} ‒ 123 (+4)", as_of=as_of)
    number_first = parse_report(f"123 +4 {label}", as_of=as_of)

    assert label_first.totals == number_first.totals == {key: 123}
    assert label_first.increases == number_first.increases == {key: 4}


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("танків", "tanks"),
        ("танки", "tanks"),
        ("Tanks", "tanks"),
        ("APV", "afv"),
        ("armoured personnel vehicle", "afv"),
        ("armoured combat vehicles", "afv"),
        ("armored combat vehicles", "afv"),
        ("troop-carrying AFVs", "afv"),
        ("бойові броньовані машини", "afv"),
        ("ББМ", "afv"),
        ("артсистем", "artillery"),
        ("реактивних систем залпового вогню", "mlrs"),
        ("засобів ППО", "air_defense"),
        ("anti-aircraft systems", "air_defense"),
        ("літаки", "aircraft"),
        ("helicopter", "helicopters"),
        ("вертольотів", "helicopters"),
        ("БПЛА оперативно-тактичного рівня", "uav"),
        ("дронів оперативно-тактичного рівня", "uav"),
        ("крилатих ракет", "cruise_missiles"),
        ("cruise missiles", "cruise_missiles"),
        ("кораблів/катерів", "ships"),
        ("warships/boats", "ships"),
        ("підводних човнів", "submarines"),
        ("submarine", "submarines"),
        ("автомобільну техніку та автоцистерни", "vehicles_fuel_tanks"),
        ("vehicles & fuel tanks", "vehicles_fuel_tanks"),
        ("спеціальну техніку", "special_equipment"),
        ("спецтехніки", "special_equipment"),
        ("ground robotic systems", "ground_robotic_systems"),
        ("наземних роботизованих комплексів", "ground_robotic_systems"),
        ("особового складу / personnel", "personnel"),
        ("військовослужбовців", "personnel"),
    ],
)
def test_label_variants_read_as_their_category(label: str, key: str) -> None:
    report = parse_report(f"з 24.02.22 по 25.10.24\n• {label} – 1 234 (+5),", as_of=AS_OF)

    assert report.totals == {key: 1234}
    assert report.increases == {key: 5}


@pytest.mark.parametrize(
    ("line", "key"),
    [
        # "vehicles and fuel tanks" contains "tanks", "armoured ... vehicles" contains "vehicles".
        ("vehicles and fuel tanks ‒ 27365 (+79)", "vehicles_fuel_tanks"),
        ("автомобільна техніка та цистерни з ПММ ‒ 27365 (+79)", "vehicles_fuel_tanks"),
        ("armoured personnel vehicle ‒ 18287 (+33)", "afv"),
        ("бойових броньованих машин / armoured combat vehicles ‒ 18287 (+33)", "afv"),
        ("Anti-aircraft warfare systems ‒ 982 (+1)", "air_defense"),
        ("БпЛА оперативно-тактичного рівня ‒ 17670 (+73)", "uav"),
        ("крилаті ракети ‒ 2625 (+0)", "cruise_missiles"),
        ("підводні човни / submarines ‒ 1 (+0)", "submarines"),
    ],
)
def test_labels_that_contain_another_categorys_word(line: str, key: str) -> None:
    report = parse_report(f"з 24.02.22 по 25.10.24\n{line}", as_of=AS_OF)

    assert list(report.totals) == [key]


@pytest.mark.parametrize(
    ("line", "total"),
    [
        ("особового складу ‒ близько 685910 (+1630) осіб", 685910),
        ("personnel ‒ about 685910 (+1630) persons were liquidated,", 685910),
        ("особового складу / personnel ‒ близько/ about 685910(+1630) осіб / persons,", 685910),
        ("особового складу - ліквідовано близько 685910 (+1630),", 685910),
        ("personnel ‒ approximately 685 910 (+1 630)", 685910),
        ("~685910 +1630 особового складу / personnel", 685910),
        ("≈ 685,910 +1,630 personnel", 685910),
    ],
)
def test_personnel_with_about_and_persons(line: str, total: int) -> None:
    report = parse_report(f"з 24.02.22 по 25.10.24\n{line}", as_of=AS_OF)

    assert report.totals == {"personnel": total}
    assert report.increases == {"personnel": 1630}


# --- Numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["‒", "–", "—", "-", "−", "―"])
def test_every_dash(dash: str) -> None:
    spaced = parse_report(f"танків {dash} 9097 (+7)", as_of=AS_OF)
    tight = parse_report(f"tanks{dash}9097(+7)", as_of=AS_OF)

    assert spaced.totals == tight.totals == {"tanks": 9097}
    assert spaced.increases == tight.increases == {"tanks": 7}


@pytest.mark.parametrize(
    "separator",
    ["", " ", "\u00a0", "\u2009", "\u202f", ",", "\u00a0\u00a0"],
    ids=["none", "space", "no-break", "thin", "narrow-no-break", "comma", "two-spaces"],
)
def test_thousands_separators(separator: str) -> None:
    text = f"особового складу ‒ близько 685{separator}910 (+1{separator}630) осіб"

    report = parse_report(text, as_of=AS_OF)

    assert report.totals == {"personnel": 685910}
    assert report.increases == {"personnel": 1630}


@pytest.mark.parametrize(
    "glue",
    ["'", "’", "_", "\u200f", "\u200e", "\u2067", "²", "₀"],
    ids=["apostrophe", "right-quote", "underscore", "rtl-mark", "ltr-mark", "rtl-isolate", "sup", "sub"],
)
def test_a_number_with_anything_else_inside_is_unread_not_smaller(glue: str) -> None:
    # No report writes "9'097" or "9_097"; reading it as 9 (or "9²097" as 92097) would publish a wrong
    # total. The line is reported unread instead, and the category is missing from what is stored.
    line = f"танків - 9{glue}097 (+7) од."
    text = f"з 24.02.22 по 25.10.24\n{line}\nлітаків ‒ 369 (+0) од."

    report = parse_report(text, as_of=AS_OF)

    assert report.totals == {"aircraft": 369}
    assert "tanks" not in report.increases
    assert f'could not read: "{line}"' in report.warnings
    assert any(w.startswith("not in the text:") and " tanks," in w for w in report.warnings)


def test_a_relay_sentence_before_the_list_does_not_beat_the_list() -> None:
    # A relay opens with its own sentence (with a typo), then quotes the General Staff's list.
    prose = "The total losses of the Russian army since the beginning of the invasion are 685,190 soldiers."
    text = f"{prose}\n\nз 24.02.22 по 25.10.24\nособового складу ‒ близько 685 910 (+1 630) осіб"

    report = parse_report(text, as_of=AS_OF)

    assert report.totals == {"personnel": 685910}
    assert report.increases == {"personnel": 1630}
    assert f"personnel stated twice: kept 685910, ignored {quote(prose)}" in report.warnings


def test_the_first_of_two_list_lines_is_kept() -> None:
    text = "з 24.02.22 по 25.10.24\nтанків ‒ 9097 (+7) од.\ntanks ‒ 9079 (+7)"

    report = parse_report(text, as_of=AS_OF)

    assert report.totals == {"tanks": 9097}
    assert 'tanks stated twice: kept 9097, ignored "tanks - 9079 (+7)"' in report.warnings


@pytest.mark.parametrize(
    ("line", "increase"),
    [
        ("tanks ‒ 9097 (+7)", 7),
        ("tanks ‒ 9097(+7)", 7),
        ("tanks ‒ 9097 ( + 7 )", 7),
        ("9097 +7 tanks", 7),
        ("9097+7 tanks", 7),
        ("танки — 9097 (+7 за минулу добу);", 7),
        ("tanks ‒ 9097 (+0)", 0),
        ("tanks ‒ 9097 (-2)", -2),
        ("tanks ‒ 9097", None),
        ("9097 tanks", None),
    ],
)
def test_increase_written_or_omitted(line: str, increase: int | None) -> None:
    report = parse_report(line, as_of=AS_OF)

    assert report.totals == {"tanks": 9097}
    assert report.increases == ({} if increase is None else {"tanks": increase})


def test_numbered_relay_lines_are_not_read_as_figures() -> None:
    lines = ["з 24.02.22 по 25.10.24", "1. танків ‒ 9097 (+7)", "2) ББМ ‒ 18287 (+33)", "3️⃣ РСЗВ ‒ 1238 (+2)"]
    text = "\n".join([*lines, "1 підводні човни"])  # an infographic line: this 1 is a total

    report = parse_report(text, as_of=AS_OF)

    assert report.totals == {"tanks": 9097, "afv": 18287, "mlrs": 1238, "submarines": 1}
    assert report.increases == {"tanks": 7, "afv": 33, "mlrs": 2}


def test_rounded_figures_are_warned_not_read() -> None:
    report = parse_report("особового складу ‒ близько 685,9 тис. осіб\nтанків ‒ 9097 (+7)", as_of=AS_OF)

    assert report.totals == {"tanks": 9097}
    assert 'could not read: "особового складу - близько 685,9 тис. осіб"' in report.warnings


# --- Dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "as_of", "expected"),
    [
        ("The total combat losses of the enemy from 24.02.22 to 25.10.24 were approximately:", AS_OF, AS_OF),
        (
            "Загальні бойові втрати противника з 24.02 по 30.04 орієнтовно склали:",
            date(2022, 5, 1),
            date(2022, 4, 30),
        ),
        ("24.02.22 — 25.10.2024", AS_OF, AS_OF),
        ("Протягом 24.02.22 — 25.10.2024", AS_OF, AS_OF),
        ("24.02.2022-25.10.2024", AS_OF, AS_OF),
        ("Втрати ворога на 25 жовтня 2024 року", AS_OF, AS_OF),
        ("з 24 лютого 2022 року по 25 жовтня 2024 року", AS_OF, AS_OF),
        ("Russia's losses as of October 25, 2024", AS_OF, AS_OF),
        ("Russia's losses as of 25 October 2024", AS_OF, AS_OF),
        ("Потери врага на 30 апреля", date(2022, 5, 2), date(2022, 4, 30)),
        ("з 24.02.22 по 24.02.23", date(2023, 2, 24), date(2023, 2, 24)),
        # No year near New Year: the year that puts the date nearest on or before the posting day.
        ("з 24.02 по 31.12", date(2023, 1, 2), date(2022, 12, 31)),
        ("з 24.02 по 02.01", date(2023, 1, 2), date(2023, 1, 2)),
    ],
)
def test_report_date_from_the_heading(heading: str, as_of: date, expected: date) -> None:
    report = parse_report(f"{heading}\nтанків ‒ 9097 (+7) од,", as_of=as_of)

    assert report.report_date == expected
    assert report.date_in_text
    assert not any(w.startswith("no date found") for w in report.warnings)


def test_no_date_uses_as_of_and_says_so() -> None:
    report = parse_report("танків ‒ 4635 (+7) од,\nлітаків – 315 (+0) од,", as_of=date(2023, 9, 20))

    assert report.report_date == date(2023, 9, 20)
    assert not report.date_in_text
    assert report.warnings[0] == "no date found, used 2023-09-20"


def test_media_date_of_the_past_day_is_the_day_before_the_report() -> None:
    report = parse_report(
        "За минулу добу, 26 жовтня, росіяни втратили:\n- танки — 9113 (+4);", as_of=date(2024, 10, 27)
    )

    assert report.report_date == date(2024, 10, 27)
    assert "2024-10-26 is the day the losses cover; the report is dated 2024-10-27" in report.warnings


def test_a_second_date_is_mentioned_in_the_warnings() -> None:
    report = parse_report("з 24.02.22 по 25.10.24\nтанків ‒ 9097 (+7)\nОпубліковано 26.10.2024", as_of=AS_OF)

    assert report.report_date == AS_OF
    assert "the text also mentions 2024-10-26; used 2024-10-25" in report.warnings


# --- Lines that are not figures ----------------------------------------------------------------------


def test_unreadable_figure_lines_are_warned_and_chatter_is_not() -> None:
    text = "\n".join(
        [
            "❗️Загальні бойові #втрати противника з 24.02 по 30.04 орієнтовно склали:",
            "• танків ‒ 1008 (+22),",
            "• щось нове – 17 (+2),",  # a figure line whose category nobody knows
            "Сьогодні 3 рази бахнуло",  # a number and words: looks like a figure, is shown
            "#втрати #Генштаб",
            "Day 66",
            "https://t.me/GeneralStaffZSU/12345",
            "@lossbot_channel",
            "Генштаб",
        ]
    )

    report = parse_report(text, as_of=date(2022, 4, 30))

    assert report.totals == {"tanks": 1008}
    line_warnings = [w for w in report.warnings if not w.startswith("not in the text")]
    assert line_warnings == [
        'could not read: "• щось нове - 17 (+2),"',
        'could not read: "Сьогодні 3 рази бахнуло"',
    ]


def test_recount_notice_is_shown_not_read() -> None:
    text = (
        "WARNING! After a recount the number of destroyed tanks is 3797. Aircraft decreased by 3.\n"
        "The total combat losses of the enemy from 24.02.22 to 28.05.23 were approximately:\n"
        "tanks ‒ 3797 (+3),\n"
        "aircraft ‒ 313 (+0),"
    )

    report = parse_report(text, as_of=date(2023, 5, 28))

    assert report.totals == {"tanks": 3797, "aircraft": 313}
    assert report.increases == {"tanks": 3, "aircraft": 0}
    assert any(
        w.startswith('notice, not read as figures: "WARNING! After a recount') for w in report.warnings
    )


def test_category_stated_twice_keeps_the_first_and_warns() -> None:
    text = "з 24.02 по 30.04\n• танків ‒ 1008 (+22),\n• літаків – 190 (+1),\nтанків – 1000"

    report = parse_report(text, as_of=date(2022, 4, 30))

    assert report.totals == {"tanks": 1008, "aircraft": 190}
    assert report.increases == {"tanks": 22, "aircraft": 1}
    assert 'tanks stated twice: kept 1008, ignored "танків - 1000"' in report.warnings


def test_bilingual_repeat_with_the_same_figures_is_one_warning() -> None:
    # The post gives the Ukrainian list, then the English one.
    en_labels = {"personnel": "personnel", "tanks": "tanks", "afv": "APV", "artillery": "artillery systems"}
    en = "\n".join(
        f"{en_labels[key]} ‒ {FIGURES_2024_10_25[key][0]} (+{FIGURES_2024_10_25[key][1]})"
        for key in en_labels
    )

    report = parse_report(f"{official_uk(FIGURES_2024_10_25)}\n\n{en}", as_of=AS_OF)

    assert report.totals == totals_of(FIGURES_2024_10_25)
    assert len(report.warnings) == 1
    assert report.warnings == ["stated twice with the same figures: personnel, tanks, afv, artillery"]


def test_truncated_report_keeps_what_arrived_and_lists_what_did_not() -> None:
    text = official_uk(FIGURES_2024_10_25)
    cut = text[: text.index("гелікоптерів") + len("гелікоптерів ‒")]

    report = parse_report(cut, as_of=AS_OF)

    assert list(report.totals) == [
        "personnel",
        "tanks",
        "afv",
        "artillery",
        "mlrs",
        "air_defense",
        "aircraft",
    ]
    assert 'no number for helicopters: "гелікоптерів -"' in report.warnings
    assert report.warnings[-1] == (
        "not in the text: helicopters, uav, cruise_missiles, ships, submarines, vehicles_fuel_tanks, "
        "special_equipment"
    )


def test_line_cut_after_a_label() -> None:
    report = parse_report("tanks ‒ 9097 (+7), APV ‒", as_of=AS_OF)

    assert report.totals == {"tanks": 9097}
    assert 'no number for afv: "tanks - 9097 (+7), APV -"' in report.warnings


def test_retired_and_later_categories() -> None:
    april_text = "з 24.02 по 12.04\nvehicles ‒ 1406 од,\nfuel tanks ‒ 76,\nmobile SRBM system ‒ 4."
    april = parse_report(april_text, as_of=date(2022, 4, 12))
    # Media kept writing "автомобільної техніки" for the merged line after 2022-05-01.
    may = parse_report("на 23 травня 2022\nавтомобільної техніки - 2206", as_of=AS_OF)
    early_submarine = parse_report("з 24.02 по 12.04\nsubmarines ‒ 1", as_of=date(2022, 4, 12))

    assert april.totals == {"vehicles": 1406, "fuel_tanks": 76, "srbm_launchers": 4}
    assert not any("is not in reports" in w for w in april.warnings)
    assert may.totals == {"vehicles_fuel_tanks": 2206}
    assert (
        'read as vehicles_fuel_tanks (one line since 2022-05-01): "автомобільної техніки - 2206"'
        in may.warnings
    )
    assert early_submarine.totals == {"submarines": 1}
    assert 'submarines is not in reports dated 2022-04-12: "submarines - 1"' in early_submarine.warnings


# --- Not a report ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t\u00a0 \n"])
def test_empty_text_is_not_a_report(text: str) -> None:
    with pytest.raises(NotAReport, match="empty text"):
        parse_report(text, as_of=AS_OF)


@pytest.mark.parametrize(
    "text",
    [
        "Доброго ранку! Слава Україні!",
        "The total combat losses of the enemy from 24.02.22 to 25.10.24 were approximately:",
        "Meeting at 10:30, room 12, bring 3 copies",
        "танків",
    ],
)
def test_text_without_a_figure_is_not_a_report(text: str) -> None:
    with pytest.raises(NotAReport, match="no line with a category and a number"):
        parse_report(text, as_of=AS_OF)


def _noise(size: int, seed: int) -> str:
    """Deterministic junk with numbers, brackets, dashes, dates and links, but no category word."""
    rng = random.Random(seed)
    pieces = ["lorem", "ipsum", "вчора", "дуже", "(+", ")", "–", "12", "1 630", "3,5", "#втрати", "24.02.22"]
    pieces += ["https://t.me/x/1", "@chan", "🔥", "(((", "+++", "0000000000000", "Т-90", "\n", "\n"]
    words: list[str] = []
    length = 0
    while length < size:
        words.append(rng.choice(pieces))
        length += len(words[-1]) + 1
    return " ".join(words)


def test_100_kb_of_noise_is_not_a_report() -> None:
    with pytest.raises(NotAReport, match="no line with a category and a number"):
        parse_report(_noise(100_000, seed=1), as_of=AS_OF)


def test_report_followed_by_100_kb_of_noise_keeps_its_figures() -> None:
    report = parse_report(official_uk(FIGURES_2024_10_25) + "\n" + _noise(100_000, seed=2), as_of=AS_OF)

    assert report.report_date == AS_OF
    assert report.totals == totals_of(FIGURES_2024_10_25)
    assert report.increases == increases_of(FIGURES_2024_10_25)
    assert len(report.warnings) <= 25
    assert any(w.endswith("more lines not read") for w in report.warnings)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 100_000,
        "+" * 100_000,
        "1 " * 50_000,
        "1," * 50_000,
        "9" * 100_000,
        "tanks ‒ " + "9" * 100_000,
        "(+1" * 30_000,
        "24.02." * 20_000,
        "a1 " * 40_000,
        "-" * 100_000 + "1",
    ],
    ids=[
        "parens",
        "pluses",
        "spaced-digits",
        "comma-digits",
        "long-number",
        "tanks-long-number",
        "increases",
        "dates",
        "glued",
        "dashes",
    ],
)
def test_pathological_input_is_refused(text: str) -> None:
    with pytest.raises(NotAReport, match="no line with a category and a number"):
        parse_report(text, as_of=AS_OF)


def test_a_line_of_thousands_of_numbers_is_not_read() -> None:
    report = parse_report("літаків ‒ 369\nтанків ‒ " + "1 " * 50_000, as_of=AS_OF)

    assert report.totals == {"aircraft": 369}
    assert report.warnings[1].startswith('could not read: "танків - 1 1 1 1')
    assert report.warnings[1].endswith('…"')


# --- Properties --------------------------------------------------------------------------------------


def _check(text: str, as_of: date) -> ParsedReport | None:
    """The parser's whole contract: a ParsedReport that makes sense, or NotAReport with a reason."""
    try:
        report = parse_report(text, as_of=as_of)
    except NotAReport as exc:
        assert str(exc)
        return None
    assert set(report.totals) <= set(KEYS)
    # A relay may give only the day's figure of a category ("1,150 soldiers in the past 24 hours"); the
    # report then says that its total is missing.
    assert set(report.increases) <= set(KEYS)
    for key in set(report.increases) - set(report.totals):
        assert any(w.startswith(f"{key}: only the day's increase") for w in report.warnings)
    assert all(isinstance(v, int) and v >= 0 for v in report.totals.values())
    assert all(isinstance(w, str) and w for w in report.warnings)
    json.dumps(report.as_json())
    return report


PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
AS_OF_DATES = st.dates(min_value=date(2022, 2, 25), max_value=date(2030, 12, 31))


@PROPERTY_SETTINGS
@given(text=st.text(), as_of=AS_OF_DATES)
def test_any_text_gives_a_report_or_not_a_report(text: str, as_of: date) -> None:
    _check(text, as_of)


LABELS = [label for c in CATEGORIES for label in (*c.labels_en, *c.labels_uk)]
TOKENS = [
    *LABELS,
    "‒",
    "–",
    "-",
    "(+",
    ")",
    "+",
    "~",
    "близько",
    "about",
    "од,",
    "осіб",
    "/",
    "•",
    "❗️",
    "#втрати",
]
TOKENS += [
    "24.02.22",
    "25.10.24",
    "з 24.02 по 30.04",
    "25 жовтня",
    "WARNING",
    "1 630",
    "1,630",
    "685910",
    "0",
]
TOKENS += ["\u00a0", "\n", ", ", ". ", "https://t.me/a/1", "@x", "тис.", "3,5"]


@PROPERTY_SETTINGS
@given(
    tokens=st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4), st.integers(0, 10**12).map(str))),
    joiners=st.sampled_from([" ", "", "\n", " ‒ "]),
    as_of=AS_OF_DATES,
)
def test_real_labels_numbers_and_garbage_mixed(tokens: list[str], joiners: str, as_of: date) -> None:
    _check(joiners.join(tokens), as_of)


# Labels per category, as a report or a relay might write them, for the round trip below.
ROUND_TRIP_LABELS: dict[str, list[str]] = {
    "personnel": ["особового складу", "personnel", "особового складу / personnel"],
    "tanks": ["танків", "танки", "tanks"],
    "afv": ["бойових броньованих машин", "APV", "armoured combat vehicles"],
    "artillery": ["артилерійських систем", "artillery systems"],
    "mlrs": ["РСЗВ", "MLRS"],
    "air_defense": ["засоби ППО", "Anti-aircraft warfare systems"],
    "aircraft": ["літаків", "aircraft"],
    "helicopters": ["гелікоптерів", "helicopters"],
    "uav": ["БПЛА оперативно-тактичного рівня", "UAV operational-tactical level"],
    "cruise_missiles": ["крилаті ракети", "cruise missiles"],
    "ships": ["кораблі /катери", "warships / boats"],
    "submarines": ["підводні човни", "submarines"],
    "vehicles_fuel_tanks": ["автомобільної техніки та автоцистерн", "vehicles and fuel tanks"],
    "special_equipment": ["спеціальна техніка", "special equipment"],
    "ground_robotic_systems": ["наземні роботизовані комплекси", "ground robotic systems"],
}


def _written(number: int, style: str) -> str:
    grouped = f"{number:,}"
    return {
        "plain": str(number),
        "comma": grouped,
        "space": grouped.replace(",", " "),
        "nbsp": grouped.replace(",", "\u00a0"),
    }[style]


@st.composite
def generated_reports(draw: st.DrawFn) -> tuple[str, dict[str, int], dict[str, int]]:
    keys = draw(st.lists(st.sampled_from(sorted(ROUND_TRIP_LABELS)), min_size=1, unique=True))
    lines = ["Загальні бойові втрати противника з 24.02.22 по 25.10.24 орієнтовно склали:"]
    totals: dict[str, int] = {}
    increases: dict[str, int] = {}
    for key in keys:
        label = draw(st.sampled_from(ROUND_TRIP_LABELS[key]))
        total = draw(st.integers(0, 2_000_000))
        increase = draw(st.none() | st.integers(0, 5_000))
        number_style = draw(st.sampled_from(["plain", "comma", "space", "nbsp"]))
        written = _written(total, number_style)
        if draw(st.booleans()):  # the official layout, or a relay's
            bullet = draw(st.sampled_from(["", "• ", "▪️ "]))
            about = draw(st.sampled_from(["", "близько ", "about ", "~"]))
            dash = draw(st.sampled_from(["‒", "–", "—", "-"]))
            inc = "" if increase is None else f" (+{_written(increase, number_style)})"
            lines.append(f"{bullet}{label} {dash} {about}{written}{inc} од,")
        else:  # an infographic transcribed line by line
            about = draw(st.sampled_from(["", "~"]))
            inc = "" if increase is None else f" +{_written(increase, number_style)}"
            lines.append(f"{about}{written}{inc} {label}")
        totals[key] = total
        if increase is not None:
            increases[key] = increase
    lines.append(
        draw(st.sampled_from(["", "Генштаб", "#втрати", "Data are being updated.", "Бий окупанта!"]))
    )
    return "\n".join(lines), totals, increases


@PROPERTY_SETTINGS
@given(case=generated_reports())
def test_generated_reports_read_back_exactly(case: tuple[str, dict[str, int], dict[str, int]]) -> None:
    text, totals, increases = case

    report = parse_report(text, as_of=AS_OF)

    assert report.report_date == AS_OF
    assert report.totals == totals
    assert report.increases == increases
