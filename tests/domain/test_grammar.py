"""The date and period grammar as people write dates, in English and Ukrainian: month names in every case
and abbreviation, dates without a year, ranges with words, and the property that every spelling of a day
of the war reads back as that day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel import Locale
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.dates import parse_calendar_date
from bot.domain.months import MONTH_NAMES
from bot.domain.periods import WAR_START, Period, PeriodError, parse_date, parse_period
from bot.i18n import fmt

TODAY = date(2026, 12, 2)
NEWEST = date(2026, 8, 22)  # the bundled history ends here: dates without a year count back from it


def d(text: str) -> date:
    return date.fromisoformat(text)


def period(text: str) -> tuple[date, date, str]:
    p = parse_period(text, today=TODAY, newest=NEWEST)
    return p.first_day, p.end, p.kind


# --- the forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("Oct 25 2024", "2024-10-25", "2024-10-25", "day"),
        ("Oct 25, 2024", "2024-10-25", "2024-10-25", "day"),
        ("October 25th, 2024", "2024-10-25", "2024-10-25", "day"),
        ("the 25th of October 2024", "2024-10-25", "2024-10-25", "day"),
        ("25 October 2024", "2024-10-25", "2024-10-25", "day"),
        ("25 Oct. 2024", "2024-10-25", "2024-10-25", "day"),
        ("on 25 October 2024", "2024-10-25", "2024-10-25", "day"),
        ("25 жовтня 2024", "2024-10-25", "2024-10-25", "day"),
        ("25 жовтня 2024 р.", "2024-10-25", "2024-10-25", "day"),
        ("25-го жовтня 2024 року", "2024-10-25", "2024-10-25", "day"),
        ("25 жовт. 2024\u202fр.", "2024-10-25", "2024-10-25", "day"),  # as the bot prints it
        ("October 2024", "2024-10-01", "2024-10-31", "month"),
        ("in October 2024", "2024-10-01", "2024-10-31", "month"),
        ("жовтень 2024", "2024-10-01", "2024-10-31", "month"),
        ("у жовтні 2024", "2024-10-01", "2024-10-31", "month"),
        ("в жовтні 2024 року", "2024-10-01", "2024-10-31", "month"),
        ("за жовтень 2024", "2024-10-01", "2024-10-31", "month"),
        ("у лютому 2024", "2024-02-01", "2024-02-29", "month"),
        ("листопад 2024", "2024-11-01", "2024-11-30", "month"),
        # without a year: the most recent one not after the newest report (22 Aug 2026)
        ("за жовтень", "2025-10-01", "2025-10-31", "month"),
        ("October", "2025-10-01", "2025-10-31", "month"),
        ("серпень", "2026-08-01", "2026-08-31", "month"),  # a past month is whole
        ("25 October", "2025-10-25", "2025-10-25", "day"),
        ("22 серпня", "2026-08-22", "2026-08-22", "day"),
        ("23 серпня", "2025-08-23", "2025-08-23", "day"),
        ("29 February", "2024-02-29", "2024-02-29", "day"),
        ("since October 23", "2025-10-23", "2026-12-02", "since"),
        ("з 23 жовтня", "2025-10-23", "2026-12-02", "since"),
        ("since Oct 23 2024", "2024-10-23", "2026-12-02", "since"),
        # ranges
        ("з 21.10.2024 по 25.10.2024", "2024-10-21", "2024-10-25", "range"),
        ("з 21.10.2024 до 25.10.2024", "2024-10-21", "2024-10-25", "range"),
        ("від 21.10.2024 до 25.10.2024", "2024-10-21", "2024-10-25", "range"),
        ("from 2024-10-21 to 2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("between 21 October 2024 and 25 October 2024", "2024-10-21", "2024-10-25", "range"),
        ("з 21 по 25 жовтня 2024", "2024-10-21", "2024-10-25", "range"),
        ("з 21 по 25 жовтня", "2025-10-21", "2025-10-25", "range"),
        ("from 21 to 25 October 2024", "2024-10-21", "2024-10-25", "range"),
        ("21–25 жовтня 2024", "2024-10-21", "2024-10-25", "range"),
        ("21-25 October 2024", "2024-10-21", "2024-10-25", "range"),
        ("October 21-25, 2024", "2024-10-21", "2024-10-25", "range"),
        ("з 21.10 по 25.10.2024", "2024-10-21", "2024-10-25", "range"),
        ("from 28 December to 3 January 2024", "2023-12-28", "2024-01-03", "range"),
        ("October 2023 to March 2024", "2023-10-01", "2024-03-31", "range"),
        ("з жовтня 2023 по березень 2024", "2023-10-01", "2024-03-31", "range"),
        ("2022..2023", "2022-02-24", "2023-12-31", "range"),
        # words for days, relative to today
        ("yesterday", "2026-12-01", "2026-12-01", "day"),
        ("вчора", "2026-12-01", "2026-12-01", "day"),
        ("today", "2026-12-02", "2026-12-02", "day"),
        ("сьогодні", "2026-12-02", "2026-12-02", "day"),
        ("позавчора", "2026-11-30", "2026-11-30", "day"),
        # years
        ("2024", "2024-01-01", "2024-12-31", "year"),
        ("in 2024", "2024-01-01", "2024-12-31", "year"),
        ("у 2024 році", "2024-01-01", "2024-12-31", "year"),
        ("за 2024 рік", "2024-01-01", "2024-12-31", "year"),
        # calendar months and years by the newest report
        ("this month", "2026-08-01", "2026-08-31", "month"),
        ("цього місяця", "2026-08-01", "2026-08-31", "month"),
        ("last month", "2026-07-01", "2026-07-31", "month"),
        ("минулого місяця", "2026-07-01", "2026-07-31", "month"),
        ("this year", "2026-01-01", "2026-12-02", "year"),
        ("last year", "2025-01-01", "2025-12-31", "year"),
        ("минулого року", "2025-01-01", "2025-12-31", "year"),
        # rolling windows (commands move them to end at the newest report)
        ("за тиждень", "2026-11-26", "2026-12-02", "last_days"),
        ("this week", "2026-11-26", "2026-12-02", "last_days"),
        ("last 7 days", "2026-11-26", "2026-12-02", "last_days"),
        ("за останні 7 днів", "2026-11-26", "2026-12-02", "last_days"),
        ("2 weeks", "2026-11-19", "2026-12-02", "last_days"),
        ("last week", "2026-11-19", "2026-11-25", "last_days"),
        ("минулого тижня", "2026-11-19", "2026-11-25", "last_days"),
    ],
)
def test_forms(text: str, start: str, end: str, kind: str) -> None:
    assert period(text) == (d(start), d(end), kind)


def test_relative_windows_move_to_the_newest_report() -> None:
    this_week = parse_period("this week", today=TODAY, newest=NEWEST).up_to(NEWEST)
    last_week = parse_period("last week", today=TODAY, newest=NEWEST).up_to(NEWEST)
    assert (this_week.first_day, this_week.end) == (d("2026-08-16"), NEWEST)
    assert (last_week.first_day, last_week.end) == (d("2026-08-09"), d("2026-08-15"))
    assert this_week.label("en") == "last 7 days" and this_week.label("uk") == "останні 7 днів"
    assert last_week.label("en") == "previous 7 days" and last_week.label("uk") == "попередні 7 днів"


@pytest.mark.parametrize(
    ("text", "reason", "parts"),
    [
        ("31 February 2024", "bad_date", (2024, 2, 31)),
        ("31 лютого 2024", "bad_date", (2024, 2, 31)),
        ("31.02.2024", "bad_date", (2024, 2, 31)),
        ("31 February", "bad_date", (2026, 2, 31)),
        ("31 квітня", "bad_date", (2026, 4, 31)),
        ("13.2024", "bad_date", (2024, 13, 1)),
        ("2024-13-01", "bad_date", (2024, 13, 1)),
        ("з 30 по 31 лютого 2024", "bad_date", (2024, 2, 30)),
    ],
)
def test_an_impossible_date_names_its_parts(text: str, reason: str, parts: tuple[int, int, int]) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text, today=TODAY, newest=NEWEST)
    assert (info.value.reason, info.value.parts) == (reason, parts)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", "future"),
        ("завтра", "future"),
        ("2021-01-01", "before_war"),
        ("1 January 2021", "before_war"),
        ("from 21 to 25", "malformed"),  # of which month?
        ("3.5", "malformed"),  # a day.month needs its year, unless a range's end gives it
        ("25.10", "malformed"),
        ("Octobr 2024", "malformed"),
        ("25 Octobr", "malformed"),
        ("з 25 по 21 жовтня 2024", "reversed"),
        ("since tomorrow", "future"),
    ],
)
def test_refusals(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text, today=TODAY, newest=NEWEST)
    assert info.value.reason == reason


def test_tomorrow_says_which_day_it_is() -> None:
    with pytest.raises(PeriodError) as info:
        parse_date("tomorrow", today=TODAY)
    assert info.value.day == d("2026-12-03")


def test_a_day_is_not_a_month() -> None:
    with pytest.raises(PeriodError) as info:
        parse_date("October 2024", today=TODAY)
    assert info.value.reason == "malformed"
    assert parse_date("on 25 October", today=TODAY, newest=NEWEST) == d("2025-10-25")


# --- the month tables against Babel --------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "en_GB", "uk"])
def test_every_month_name_babel_knows_is_read(locale: str) -> None:
    # Whatever CLDR release Babel carries, the names it prints (and so the bot prints) are read back.
    months = Locale.parse(locale).months
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in months[context][width].items():
                assert MONTH_NAMES[str(name).casefold().rstrip(".")] == number, (context, width, name)


# --- properties ----------------------------------------------------------------------------------------

_EN_MONTHS = [
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may", "may"),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
]
#: The genitive a Ukrainian date uses, and its abbreviations.
_UK_MONTHS = [
    ("січня", "січ"),
    ("лютого", "лют"),
    ("березня", "бер"),
    ("квітня", "квіт"),
    ("травня", "трав"),
    ("червня", "черв"),
    ("липня", "лип"),
    ("серпня", "серп"),
    ("вересня", "вер"),
    ("жовтня", "жовт"),
    ("листопада", "лист"),
    ("грудня", "груд"),
]

war_days = st.dates(min_value=WAR_START, max_value=NEWEST)


def spellings(day: date, english: str, ukrainian: str) -> list[str]:
    """DAY written the ways people write it, with the given month spellings."""
    n, y = day.day, day.year
    return [
        day.isoformat(),
        day.strftime("%d.%m.%Y"),
        f"{n}.{day.month}.{y}",
        day.strftime("%d.%m.%y"),
        day.strftime("%d/%m/%Y"),
        f"{n} {english} {y}",
        f"{n} {english}. {y}",
        f"{english} {n} {y}",
        f"{english.title()} {n}, {y}",
        f"{english} {n}th {y}",
        f"the {n}th of {english} {y}",
        f"{n} {ukrainian} {y}",
        f"{n} {ukrainian}. {y} р.",
        f"{n} {ukrainian} {y} року",
        f"{n}-го {ukrainian} {y}",
        fmt.day(day, "en"),
        fmt.day(day, "uk"),
    ]


@settings(max_examples=150, deadline=None)
@given(war_days, st.data())
def test_every_spelling_of_a_war_day_reads_as_that_day(day: date, data: st.DataObject) -> None:
    english = data.draw(st.sampled_from(_EN_MONTHS[day.month - 1]))
    ukrainian = data.draw(st.sampled_from(_UK_MONTHS[day.month - 1]))
    for text in spellings(day, english, ukrainian):
        assert parse_date(text, today=TODAY, newest=NEWEST) == day, text
        assert parse_period(text, today=TODAY, newest=NEWEST) == Period(day, day, "day"), text


@settings(max_examples=150, deadline=None)
@given(war_days, st.integers(min_value=0, max_value=364), st.data())
def test_a_day_without_its_year_is_the_latest_such_day(day: date, later: int, data: st.DataObject) -> None:
    # Asked up to a year after DAY, "25 October" is DAY (a leap day aside: it may be years back).
    newest = day + timedelta(days=later)
    if (day.month, day.day) == (2, 29) or newest > TODAY:
        return
    english = data.draw(st.sampled_from(_EN_MONTHS[day.month - 1]))
    ukrainian = data.draw(st.sampled_from(_UK_MONTHS[day.month - 1]))
    for text in (f"{day.day} {english}", f"{english} {day.day}", f"{day.day} {ukrainian}"):
        assert parse_date(text, today=TODAY, newest=newest) == day, text


@settings(max_examples=100, deadline=None)
@given(war_days, war_days)
def test_every_range_reads_as_its_ends(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    for text in (
        f"{start.isoformat()}..{end.isoformat()}",
        f"з {start:%d.%m.%Y} по {end:%d.%m.%Y}",
        f"from {fmt.day(start, 'en')} to {fmt.day(end, 'en')}",
        f"від {fmt.day(start, 'uk')} до {fmt.day(end, 'uk')}",
    ):
        p = parse_period(text, today=TODAY, newest=NEWEST)
        assert (p.first_day, p.end, p.kind) == (start, end, "range"), text


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=2022, max_value=2026), st.integers(min_value=1, max_value=12))
def test_every_month_reads_as_that_month(year: int, month: int) -> None:
    first = date(year, month, 1)
    if first > NEWEST or (year, month) < (2022, 2):
        return
    expected = (max(first, WAR_START), first.month)
    for text in (
        f"{_EN_MONTHS[month - 1][0]} {year}",
        f"{_EN_MONTHS[month - 1][1]} {year}",
        fmt.month(year, month, "en"),
        fmt.month(year, month, "uk"),
        f"за {fmt.month(year, month, 'uk')}",
        f"{year}-{month:02}",
        f"{month:02}.{year}",
    ):
        p = parse_period(text, today=TODAY, newest=NEWEST)
        assert (p.first_day, p.end.month, p.kind) == (*expected, "month"), text


_WORDS = st.sampled_from(
    ["from", "to", "since", "з", "по", "до", "у", "last", "this", "week", "тиждень", "october", "жовтня",
     "oct", "лютого", "2024", "2023", "25", "31", "1", "-", "..", "25.10", "21.10.2024", "today", "завтра",
     "р.", "року", "7", "days", "днів", "the", "of", "в", "місяця", "минулого"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=7))
def test_any_words_are_a_period_or_a_period_error(words: list[str]) -> None:
    text = " ".join(words)
    try:
        p = parse_period(text, today=TODAY, newest=NEWEST)
    except PeriodError as error:
        assert error.reason
        return
    assert WAR_START <= p.first_day <= p.end <= TODAY
    assert p.label("en") and p.label("uk")


@settings(max_examples=100, deadline=None)
@given(war_days)
def test_the_strict_parser_and_the_grammar_read_numeric_dates_alike(day: date) -> None:
    for text in (day.isoformat(), f"{day.year}-{day.month}-{day.day}", day.strftime("%d.%m.%y")):
        assert parse_calendar_date(text) == parse_date(text, today=TODAY) == day
