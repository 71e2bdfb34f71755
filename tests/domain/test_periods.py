"""Tests of bot.domain.periods: every accepted form, every refusal, labels, and a property test."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.periods import (
    MAX_INPUT_LENGTH,
    WAR_START,
    Period,
    PeriodError,
    parse_date,
    parse_period,
)

TODAY = date(2024, 10, 25)
NNBSP = "\u202f"
NBSP = "\u00a0"


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- single dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-25", "2024-10-25"),
        ("2024-1-5", "2024-01-05"),
        ("25.10.2024", "2024-10-25"),
        ("5.1.2024", "2024-01-05"),
        ("25.10.24", "2024-10-25"),
        ("25/10/2024", "2024-10-25"),
        ("25/10/24", "2024-10-25"),
        ("today", "2024-10-25"),
        ("Today", "2024-10-25"),
        ("сьогодні", "2024-10-25"),
        ("yesterday", "2024-10-24"),
        ("вчора", "2024-10-24"),
        ("  ВЧОРА ", "2024-10-24"),
        ("2022-02-24", "2022-02-24"),
    ],
)
def test_parse_date(text: str, expected: str) -> None:
    assert parse_date(text, today=TODAY) == d(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-02-30", "bad_date"),
        ("31.04.2024", "bad_date"),
        ("2023-02-29", "bad_date"),
        ("2024-13-01", "bad_date"),
        ("0000-01-01", "bad_date"),
        ("2024-10-26", "future"),
        ("2022-02-23", "before_war"),
        ("23.02.22", "before_war"),
        ("25.10/2024", "malformed"),  # mixed separators
        ("2024-10", "malformed"),  # a month is not a date
        ("tomorrow", "future"),
        ("", "empty"),
        ("   ", "empty"),
        ("2024-10-25" + " " * 300, "too_long"),
    ],
)
def test_parse_date_errors(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_date(text, today=TODAY)
    assert info.value.reason == reason


def test_leap_day_is_a_date() -> None:
    assert parse_date("29.02.2024", today=TODAY) == d("2024-02-29")


# --- periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        # days
        ("2024-10-25", "2024-10-25", "2024-10-25", "day"),
        ("25.10.2024", "2024-10-25", "2024-10-25", "day"),
        ("25.10.24", "2024-10-25", "2024-10-25", "day"),
        ("25/10/2024", "2024-10-25", "2024-10-25", "day"),
        ("today", "2024-10-25", "2024-10-25", "day"),
        ("сьогодні", "2024-10-25", "2024-10-25", "day"),
        ("yesterday", "2024-10-24", "2024-10-24", "day"),
        ("вчора", "2024-10-24", "2024-10-24", "day"),
        # months (the current one is clipped to today)
        ("2024-09", "2024-09-01", "2024-09-30", "month"),
        ("2024-10", "2024-10-01", "2024-10-25", "month"),
        ("09.2024", "2024-09-01", "2024-09-30", "month"),
        ("9/2024", "2024-09-01", "2024-09-30", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("October 2024", "2024-10-01", "2024-10-25", "month"),
        ("oct 2024", "2024-10-01", "2024-10-25", "month"),
        ("OCT. 2024", "2024-10-01", "2024-10-25", "month"),
        ("sept 2024", "2024-09-01", "2024-09-30", "month"),
        ("sep 2024", "2024-09-01", "2024-09-30", "month"),
        ("may 2023", "2023-05-01", "2023-05-31", "month"),
        ("жовтень 2024", "2024-10-01", "2024-10-25", "month"),
        ("Жовтня 2024", "2024-10-01", "2024-10-25", "month"),
        ("вер. 2024", "2024-09-01", "2024-09-30", "month"),
        ("лютий 2023", "2023-02-01", "2023-02-28", "month"),
        # a month or year overlapping the war's start is clipped to it
        ("02.2022", "2022-02-24", "2022-02-28", "month"),
        ("2022", "2022-02-24", "2022-12-31", "year"),
        # years (the current one is clipped to today)
        ("2023", "2023-01-01", "2023-12-31", "year"),
        ("2024", "2024-01-01", "2024-10-25", "year"),
        # ranges, any date form and separator
        ("2024-10-21..2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("2024-10-21 .. 2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("2024-10-21–2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("2024-10-21 — 2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("2024-10-21 - 2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("2024-10-21-2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("21.10.2024..25.10.2024", "2024-10-21", "2024-10-25", "range"),
        ("21.10.2024 - 25.10.2024", "2024-10-21", "2024-10-25", "range"),
        ("21.10.24-25.10.24", "2024-10-21", "2024-10-25", "range"),
        ("21/10/2024…2024-10-25", "2024-10-21", "2024-10-25", "range"),
        ("2024-10-25..2024-10-25", "2024-10-25", "2024-10-25", "range"),
        ("вчора..сьогодні", "2024-10-24", "2024-10-25", "range"),
        ("2024-10-20..2024-12-31", "2024-10-20", "2024-10-25", "range"),  # end clipped to today
        # open ranges end today
        ("since 2024-10-21", "2024-10-21", "2024-10-25", "since"),
        ("from 21.10.2024", "2024-10-21", "2024-10-25", "since"),
        ("з 21.10.2024", "2024-10-21", "2024-10-25", "since"),
        ("від 21.10.2024", "2024-10-21", "2024-10-25", "since"),
        ("SINCE   yesterday", "2024-10-24", "2024-10-25", "since"),
        ("since october 2024", "2024-10-01", "2024-10-25", "since"),
        ("з 2023", "2023-01-01", "2024-10-25", "since"),
        ("since 2022", "2022-02-24", "2024-10-25", "since"),
        # rolling windows include today
        ("7d", "2024-10-19", "2024-10-25", "last_days"),
        ("7D", "2024-10-19", "2024-10-25", "last_days"),
        ("7д", "2024-10-19", "2024-10-25", "last_days"),
        ("7 days", "2024-10-19", "2024-10-25", "last_days"),
        ("7 днів", "2024-10-19", "2024-10-25", "last_days"),
        ("1d", "2024-10-25", "2024-10-25", "last_days"),
        ("30d", "2024-09-26", "2024-10-25", "last_days"),
        ("week", "2024-10-19", "2024-10-25", "last_days"),
        ("тиждень", "2024-10-19", "2024-10-25", "last_days"),
        ("month", "2024-09-26", "2024-10-25", "last_days"),
        ("місяць", "2024-09-26", "2024-10-25", "last_days"),
        ("year", "2023-10-27", "2024-10-25", "last_days"),
        ("рік", "2023-10-27", "2024-10-25", "last_days"),
        ("3650d", "2022-02-24", "2024-10-25", "last_days"),  # clipped to the war's start
    ],
)
def test_parse_period(text: str, start: str, end: str, kind: str) -> None:
    period = parse_period(text, today=TODAY)
    assert (period.start, period.end, period.kind) == (d(start), d(end), kind)


@pytest.mark.parametrize("text", ["all", "ALL", "all time", "все", "увесь час", "  Увесь   час "])
def test_all(text: str) -> None:
    period = parse_period(text, today=TODAY)
    assert period == Period(start=None, end=TODAY, kind="all")
    assert period.first_day == WAR_START


def test_rolling_windows_have_the_advertised_length() -> None:
    for text, days in [("week", 7), ("month", 30), ("year", 365), ("7d", 7), ("90d", 90)]:
        period = parse_period(text, today=TODAY)
        assert (period.end - period.first_day).days + 1 == days
        assert period.days == days


def test_year_is_clipped_to_today() -> None:
    today = date(2026, 11, 22)
    assert parse_period("2026", today=today) == Period(start=date(2026, 1, 1), end=today, kind="year")


def test_period_contains() -> None:
    period = parse_period("2024-10", today=TODAY)
    assert date(2024, 10, 1) in period
    assert TODAY in period
    assert date(2024, 9, 30) not in period
    assert "2024-10-02" not in period
    assert WAR_START in parse_period("all", today=TODAY)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("hello", "malformed"),
        ("2024-10-25..", "malformed"),
        ("..2024-10-25", "malformed"),
        ("since", "malformed"),
        ("since hello", "malformed"),
        ("since 7d", "malformed"),
        ("7", "malformed"),
        ("24", "malformed"),
        ("d", "malformed"),
        ("Octobr", "malformed"),
        ("Octember 2024", "malformed"),
        ("2024-10-25 2024-10-26", "malformed"),
        ("٢٠٢٤", "malformed"),  # Arabic-Indic digits are not accepted as a year
        ("2024-02-30", "bad_date"),
        ("30.02.2024", "bad_date"),
        ("2024-02-30..2024-03-01", "bad_date"),
        ("2024-13", "bad_date"),
        ("13.2024", "bad_date"),
        ("0d", "bad_days"),
        ("3651d", "bad_days"),
        ("99999999999999999999999999d", "bad_days"),
        ("2024-10-25..2024-10-21", "reversed"),
        ("25.10.2024 - 21.10.2024", "reversed"),
        ("2024-10-26", "future"),
        ("tomorrow", "future"),
        ("2024-10-26..2024-10-30", "future"),
        ("2024-11", "future"),
        ("November 2024", "future"),
        ("2025", "future"),
        ("since 2024-10-26", "future"),
        ("since 2025", "future"),
        ("2022-02-23", "before_war"),
        ("2022-01-01..2022-03-01", "before_war"),
        ("since 2022-02-01", "before_war"),
        ("01.2022", "before_war"),
        ("2021", "before_war"),
        ("x" * (MAX_INPUT_LENGTH + 1), "too_long"),
    ],
)
def test_parse_period_errors(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text, today=TODAY)
    assert info.value.reason == reason
    # The offending text comes back as typed, cut to MAX_INPUT_LENGTH characters.
    expected = text if len(text) <= MAX_INPUT_LENGTH else text[:MAX_INPUT_LENGTH] + "…"
    assert info.value.text == expected


def test_error_carries_text_and_lists_forms() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("  hello ", today=TODAY)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.text == "  hello "
    assert "'  hello '" in str(error)
    assert "2024-10-25" in str(error) and "7d" in str(error)


def test_overlong_input_is_cut_and_refused_quickly() -> None:
    huge = "2024-10-25.." * 1_000_000
    started = time.perf_counter()
    with pytest.raises(PeriodError) as info:
        parse_period(huge, today=TODAY)
    assert time.perf_counter() - started < 0.5
    assert info.value.reason == "too_long"
    assert info.value.text == huge[:MAX_INPUT_LENGTH] + "…"
    assert len(str(info.value)) < 500


def test_on_the_first_day_of_the_war() -> None:
    assert parse_period("7d", today=WAR_START) == Period(WAR_START, WAR_START, "last_days", days=7)
    with pytest.raises(PeriodError) as info:
        parse_period("yesterday", today=WAR_START)
    assert info.value.reason == "before_war"


# --- labels --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "en", "uk"),
    [
        ("2024-10-25", "25 Oct 2024", f"25 жовт. 2024{NNBSP}р."),
        ("today", "25 Oct 2024", f"25 жовт. 2024{NNBSP}р."),
        ("2024-10", "October 2024", "жовтень 2024"),
        ("02.2022", "February 2022", "лютий 2022"),
        ("2024", "2024", "2024"),
        ("2024-10-21..2024-10-25", "21–25 Oct 2024", f"21–25 жовт. 2024{NNBSP}р."),
        ("since 2024-10-21", "since 21 Oct 2024", f"з 21 жовт. 2024{NNBSP}р."),
        ("1d", "last 1 day", "останній 1 день"),
        ("2d", "last 2 days", "останні 2 дні"),
        ("7d", "last 7 days", "останні 7 днів"),
        ("week", "last 7 days", "останні 7 днів"),
        ("21d", "last 21 days", "останній 21 день"),
        ("month", "last 30 days", "останні 30 днів"),
        ("year", "last 365 days", "останні 365 днів"),
        ("3650d", "last 3,650 days", f"останні 3{NBSP}650 днів"),  # clipped, but says what was asked
        ("all", "all time", "увесь час"),
    ],
)
def test_label(text: str, en: str, uk: str) -> None:
    period = parse_period(text, today=TODAY)
    assert period.label("en") == en
    assert period.label("uk") == uk


# --- properties ----------------------------------------------------------------------------------------

_PERIODISH = st.text(alphabet="0123456789.-/–— dDдsincefromзвіall", max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _PERIODISH))
def test_parse_period_returns_a_period_or_raises_period_error(text: str) -> None:
    try:
        period = parse_period(text, today=TODAY)
    except PeriodError as error:
        assert error.reason
        assert len(error.text) <= MAX_INPUT_LENGTH + 1
        return
    # Whatever was accepted lies within the war and not after today, and labels in both languages.
    assert WAR_START <= period.first_day <= period.end <= TODAY
    assert period.label("en")
    assert period.label("uk")


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=WAR_START, max_value=TODAY))
def test_every_war_day_round_trips_in_all_date_forms(day: date) -> None:
    for text in (
        day.isoformat(),
        day.strftime("%d.%m.%Y"),
        day.strftime("%d.%m.%y"),
        day.strftime("%d/%m/%Y"),
    ):
        assert parse_date(text, today=TODAY) == day
        assert parse_period(text, today=TODAY) == Period(day, day, "day")


def test_a_refusal_by_a_rule_names_the_rule() -> None:
    # The date reads fine; the commands refuse it, and the message says so rather than list the forms.
    with pytest.raises(PeriodError) as info:
        parse_date("2024-10-26", today=TODAY)
    assert str(info.value) == (
        "cannot use '2024-10-26': the bot has no figures for days after today "
        "(2024-10-26 is after today, 2024-10-25)"
    )
    with pytest.raises(PeriodError) as info:
        parse_period("23.02.2022", today=TODAY)
    assert str(info.value) == (
        "cannot use '23.02.2022': the figures start on 2022-02-24, the first day of the full-scale invasion "
        "(2022-02-23 is before it)"
    )


def test_an_impossible_date_says_why() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("2024-10-21..2024-02-30", today=TODAY)
    assert (info.value.reason, info.value.detail) == ("bad_date", "day is out of range for month")
