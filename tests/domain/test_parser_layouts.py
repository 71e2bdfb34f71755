"""The layouts media relays use, each with small texts of our own (figures from published reports; the real
relays are only read from ../shared by test_parser.py), and the rule over all of them: a figure is read
right or reported unread, never guessed.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import parse_warning as msg
from bot.domain.categories import KEYS
from bot.domain.parser import NotAReport, ParsedReport, parse_report

AS_OF = date(2025, 10, 2)


def parse(text: str, as_of: date = AS_OF) -> ParsedReport:
    return parse_report(text, as_of=as_of)


def line_warnings(report: ParsedReport) -> list[str]:
    """Warnings about lines, leaving out the date and the categories a short fixture lacks."""
    return [w for w in report.warnings if not w.startswith(("not in the text", "no date found"))]


# --- Number first ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "totals", "increases"),
    [
        ("11 300 танків (+3 за добу)", {"tanks": 11300}, {"tanks": 3}),
        ("23 500 бойових броньованих машин (+12)", {"afv": 23500}, {"afv": 12}),
        ("9100 +4 tanks", {"tanks": 9100}, {"tanks": 4}),
        ("1 240 засоби протиповітряної оборони", {"air_defense": 1240}, {}),
        ("8 тис. 820 (+5) одиниць танків", {"tanks": 8820}, {"tanks": 5}),
        ("1 мільйона 2 340 осіб особового складу (+960)", {"personnel": 1002340}, {"personnel": 960}),
        ("• 11,600 tanks, including seven destroyed in the past day", {"tanks": 11600}, {"tanks": 7}),
        (
            "• 36,200 artillery systems, with 84 destroyed in the latest update",
            {"artillery": 36200},
            {"artillery": 84},
        ),
    ],
)
def test_number_first(text: str, totals: dict[str, int], increases: dict[str, int]) -> None:
    report = parse(text)

    assert (report.totals, report.increases) == (totals, increases)
    assert line_warnings(report) == []


def test_several_figures_in_one_number_first_sentence() -> None:
    report = parse(
        "Також знищено 952 засоби ППО, 370 літаків (+1), 330 гелікоптерів та 2 тис. 600 крилатих ракет."
    )

    assert report.totals == {"air_defense": 952, "aircraft": 370, "helicopters": 330, "cruise_missiles": 2600}
    assert report.increases == {"aircraft": 1}


def test_and_between_figures_and_inside_labels() -> None:
    report = parse("• 440 aircraft and 350 helicopters\n• 28 warships and boats, and two submarines")

    assert report.totals == {"aircraft": 440, "helicopters": 350, "ships": 28, "submarines": 2}


# --- Increase first ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "за добу знищено 3 танки (загалом 11 300)",
        "за минулу добу знищено 3 танки, загалом — 11 300",
        "Танки: за добу 3, загалом 11 300",
        "Танки — +3, всього 11 300",
        "+3 танки (всього 11 300)",
        "tanks: 3 in the past day, 11,300 in total",
        "During the day 3 tanks were destroyed (11,300 in total)",
    ],
)
def test_increase_first(text: str) -> None:
    report = parse(text)

    assert (report.totals, report.increases) == ({"tanks": 11300}, {"tanks": 3})


def test_increase_first_lines_are_never_read_as_totals() -> None:
    # The bug this layout had: the day's figure stored as the war's total, with a generic warning.
    report = parse("за добу знищено 3 танки (загалом 11 300)\n2 ББМ (загалом 23 300)")

    assert report.totals == {"tanks": 11300, "afv": 23300}
    assert report.increases == {"tanks": 3, "afv": 2}


def test_a_day_heading_makes_the_bare_lines_under_it_the_days_figures() -> None:
    report = parse("За добу росіяни втратили:\n- 4 танки\n- 12 ББМ\nВтрати ворога загалом:\n- 11 300 танків")

    assert report.totals == {"tanks": 11300}
    assert report.increases == {"tanks": 4, "afv": 12}
    assert "afv: only the day's increase (12) is in the text, not the total" in report.warnings


# --- Numbers in words and abbreviations --------------------------------------------------------------


def test_numbers_in_words() -> None:
    report = parse("один підводний човен і двадцять вісім кораблів\nRussia lost three tanks during the day.")

    assert report.totals == {"submarines": 1, "ships": 28}
    assert report.increases == {"tanks": 3}


def test_thousands_split_by_tys() -> None:
    report = parse("особового складу — близько 646 тис. 400 (+1 тис. 250 за добу) осіб")

    assert (report.totals, report.increases) == ({"personnel": 646400}, {"personnel": 1250})


@pytest.mark.parametrize(
    "line",
    [
        "Russia's total losses have crossed 1.22 million personnel, officials said.",
        "Ще понад тисяча окупантів поповнили списки втрат.",
        "особового складу — близько 646 тис. осіб",
    ],
)
def test_a_rounded_figure_is_never_a_total(line: str) -> None:
    report = parse(f"{line}\nтанків ‒ 9097 (+7)")

    assert report.totals == {"tanks": 9097}
    assert any(w.startswith("could not read") for w in report.warnings)


# --- Personnel in prose ------------------------------------------------------------------------------


def test_personnel_total_and_day_in_separate_sentences() -> None:
    text = (
        "The total number of Russian losses since the start of the invasion is 600,240 soldiers. "
        "Ukraine's defenders eliminated 1,210 invaders during the day."
    )

    report = parse(text)

    assert (report.totals, report.increases) == ({"personnel": 600240}, {"personnel": 1210})
    assert report.lines["personnel"].startswith("The total number")


@pytest.mark.parametrize(
    "text",
    [
        "Russia lost 1,150 soldiers in the past 24 hours.",
        "Російська армія втратила близько 1150 військових протягом попередньої доби.",
    ],
)
def test_personnel_of_the_day_only(text: str) -> None:
    report = parse(text)

    assert (report.totals, report.increases) == ({}, {"personnel": 1150})
    assert "personnel: only the day's increase (1150) is in the text, not the total" in report.warnings


def test_ukrainian_prose_total() -> None:
    report = parse("Загальні втрати РФ за час вторгнення сягнули 1 мільйона 112 460 людей особового складу.")

    assert report.totals == {"personnel": 1112460}


# --- Dates -------------------------------------------------------------------------------------------


def test_date_in_prose() -> None:
    report = parse("The General Staff said on October 1 that Russia had lost 11,220 tanks in total.", AS_OF)

    assert (report.report_date, report.date_in_text) == (date(2025, 10, 1), True)
    assert report.totals == {"tanks": 11220}


def test_no_date_is_the_messages_own_date() -> None:
    report = parse("11 224 танки (+1 за добу)", AS_OF)

    assert (report.report_date, report.date_in_text) == (AS_OF, False)
    assert report.warnings[0] == f"no date found, used {AS_OF}"


def test_a_month_and_year_are_neither_a_date_nor_a_figure() -> None:
    report = parse("Since the invasion in February 2022 Russia has lost 11,220 tanks in total.")

    assert report.totals == {"tanks": 11220}
    assert not report.date_in_text
    assert line_warnings(report) == []


# --- Labels and separators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "танки: 11 300 (+3)",
        "Танки - 11 300 (+3)",
        "танків — 11 300 (+3)",
        "Tanks — 11,300 (+3) units;",
        "танкив ‒ 11 300 (+3)",  # a typo
        "11 300 (+3) одиниць танків",
    ],
)
def test_label_variants_and_separators(line: str) -> None:
    report = parse(line)

    assert (report.totals, report.increases) == ({"tanks": 11300}, {"tanks": 3})


def test_one_paragraph_or_one_line_per_category() -> None:
    paragraph = parse(
        "Втрати ворога склали: танків — 11 300 (+3), ББМ — 23 500 (+12); артсистем — 33 400 (+25)."
    )
    lines = parse("танків — 11 300 (+3)\nББМ — 23 500 (+12)\nартсистем — 33 400 (+25)")

    assert paragraph.totals == lines.totals == {"tanks": 11300, "afv": 23500, "artillery": 33400}
    assert paragraph.increases == lines.increases == {"tanks": 3, "afv": 12, "artillery": 25}


# --- Never guessed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("3 танки (11 300)", "tanks", 3),  # which is which?
        ("Юбілей - 1000 танків", "tanks", 1000),  # a channel's own line: prose, neither marked
        ("Загалом за добу знищено 3 танки", "tanks", 3),  # marked both ways
    ],
)
def test_ambiguous_line_is_warned_and_left_out(text: str, key: str, value: int) -> None:
    report = parse(f"{text}\nлітаків ‒ 370")

    assert report.totals == {"aircraft": 370}
    assert key not in report.increases
    [note] = [n for n in report.notes if n.message == msg.AMBIGUOUS]
    assert note.fields == {"cat": key, "value": value, "line": f'"{text}"'}


def test_prose_about_the_days_losses_is_not_read() -> None:
    with pytest.raises(NotAReport):
        parse("Сили оборони знищили ще 4 танки, 11 бойових броньованих машин, 19 артсистем.")


@pytest.mark.parametrize(
    "text", ["танків - 7 (+9097)", "7 +9097 танків", "за добу знищено 9097 танків (загалом 7)"]
)
def test_swapped_total_and_increase_are_warned(text: str) -> None:
    report = parse(text)

    # Kept as the text states them, so the preview can show what was sent and refuse it as an error.
    assert (report.totals, report.increases) == ({"tanks": 7}, {"tanks": 9097})
    assert f'tanks: the day\'s increase 9097 is larger than the total 7: "{text}"' in report.warnings


def test_warnings_are_data_for_the_preview_and_text_for_everyone_else() -> None:
    report = parse("3 танки (11 300)\nлітаків ‒ 370")

    assert all(str(note) == text for note, text in zip(report.notes, report.warnings, strict=True))
    assert json.loads(json.dumps(report.as_json()))["warnings"] == report.warnings


# --- Properties --------------------------------------------------------------------------------------

LABELS: dict[str, list[str]] = {
    "personnel": ["особового складу", "personnel", "військових"],
    "tanks": ["танків", "танки", "tanks", "одиниць танків"],
    "afv": ["бойових броньованих машин", "ББМ", "armored fighting vehicles"],
    "artillery": ["артилерійських систем", "artillery systems"],
    "mlrs": ["реактивних систем залпового вогню", "MLRS"],
    "air_defense": ["засоби протиповітряної оборони", "air defence equipment"],
    "aircraft": ["літаків", "aircraft"],
    "helicopters": ["гелікоптерів", "helicopters"],
    "uav": ["безпілотників оперативно-тактичного рівня", "operational-tactical drones"],
    "cruise_missiles": ["крилатих ракет", "cruise missiles"],
    "ships": ["кораблів і катерів", "warships and boats"],
    "submarines": ["підводних човнів", "submarines"],
    "vehicles_fuel_tanks": ["автомобілі та автоцистерни", "vehicles and fuel tanks"],
    "special_equipment": ["одиниць спеціальної техніки", "special equipment"],
}


def _written(number: int, style: str) -> str:
    if style == "тис" and number >= 1000 and number % 1000:
        return f"{number // 1000} тис. {number % 1000}"
    return f"{number:,}" if style == "comma" else str(number)


# Each layout writes (label, total, increase) as one line.
LAYOUTS = [
    "{label} ‒ {total} (+{inc})",
    "{total} {label} (+{inc} за добу)",
    "{total} (+{inc}) {label}",
    "за добу знищено {inc} {label} (загалом {total})",
    "{label}: за добу {inc}, загалом {total}",
    "{label}: {inc} in the past day, {total} in total",
]


@st.composite
def relay_reports(
    draw: st.DrawFn, *, swap: bool = False
) -> tuple[str, dict[str, int], dict[str, int], set[str]]:
    """A relay's text, the figures it means, and (with SWAP) the categories whose two numbers it swapped."""
    keys = draw(st.lists(st.sampled_from(sorted(LABELS)), min_size=1, unique=True))
    lines, totals, increases, swapped = ["Втрати ворога на 2 жовтня 2025 року:"], {}, {}, set()
    for key in keys:
        total = draw(st.integers(1, 2_000_000))
        increase = draw(st.integers(0, total - 1))
        style = draw(st.sampled_from(["plain", "comma", "тис"]))
        written = (_written(total, style), _written(increase, style))
        if swap and draw(st.booleans()):
            written = written[::-1]
            swapped.add(key)
        layout = draw(st.sampled_from(LAYOUTS))
        lines.append(
            layout.format(label=draw(st.sampled_from(LABELS[key])), total=written[0], inc=written[1])
        )
        totals[key], increases[key] = total, increase
    return "\n".join(lines), totals, increases, swapped


PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(case=relay_reports())
def test_relay_layouts_read_back_exactly(case: tuple[str, dict[str, int], dict[str, int], set[str]]) -> None:
    text, totals, increases, _ = case

    report = parse(text)

    assert report.report_date == AS_OF
    assert (report.totals, report.increases) == (totals, increases)


@PROPERTY_SETTINGS
@given(case=relay_reports(swap=True))
def test_swapped_figures_are_never_read_silently(
    case: tuple[str, dict[str, int], dict[str, int], set[str]],
) -> None:
    text, totals, increases, swapped = case

    report = parse(text)

    for key in swapped:  # read as the text has them, and said to be wrong
        assert (report.totals[key], report.increases[key]) == (increases[key], totals[key])
        assert any(w.startswith(f"{key}: the day's increase") for w in report.warnings)
    for key in set(totals) - swapped:
        assert (report.totals[key], report.increases[key]) == (totals[key], increases[key])


TOKENS = [
    *(label for labels in LABELS.values() for label in labels),
    *("за добу", "загалом", "in total", "during the day", "in the past 24 hours", "з початку війни"),
    *("тис.", "мільйона", "million", "понад", "over", "seven", "два", "one hundred", "1.22", "685,9"),
    *("(", ")", "(+", "+", ",", ";", ":", " — ", ". ", "\n", "•", "including", "знищено", "Юбілей"),
    *("1 630", "1,630", "646", "400", "0", "24.02.22", "2 жовтня", "February 2022"),
]


@PROPERTY_SETTINGS
@given(tokens=st.lists(st.one_of(st.sampled_from(TOKENS), st.integers(0, 10**7).map(str))), as_of=st.dates())
def test_relay_words_numbers_and_brackets_mixed_never_raise(tokens: list[str], as_of: date) -> None:
    try:
        report = parse_report(" ".join(tokens), as_of=as_of)
    except NotAReport as exc:
        assert str(exc)
        return
    assert set(report.totals) | set(report.increases) <= set(KEYS)
    assert all(v >= 0 for v in report.totals.values())
    assert set(report.lines) == set(report.totals) | set(report.increases)
    json.dumps(report.as_json())
