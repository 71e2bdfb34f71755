"""Tests of bot.domain.dates.parse_calendar_date: every accepted form, every refusal, and its messages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import DATE_FORMS, DateError, parse_calendar_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-25", date(2024, 10, 25)),
        ("2024-1-5", date(2024, 1, 5)),
        ("25.10.2024", date(2024, 10, 25)),
        ("5.1.2024", date(2024, 1, 5)),
        ("25.10.24", date(2024, 10, 25)),  # a two-digit year is in this century
        ("25/10/2024", date(2024, 10, 25)),
        ("25/10/24", date(2024, 10, 25)),
        ("29.02.2024", date(2024, 2, 29)),
        ("  2024-10-25\n", date(2024, 10, 25)),  # surrounding whitespace is ignored
        ("2030-01-01", date(2030, 1, 1)),  # a future date is a date: refusing it is a command's rule
        ("1991-08-24", date(1991, 8, 24)),  # and so is one before the war
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_calendar_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "today",  # words are the period parser's, not a calendar date
        "2024-10",  # a month is not a date
        "2024",
        "25.10",  # no year
        "25.10/2024",  # mixed separators
        "2024/10/25",  # year first only with hyphens
        "20241025",  # ISO's basic form is not taken: people do not type it
        "2024-W43-5",
        "2024-10-25T10:00",
        "25 10 2024",
        "25.10.202",  # a three-digit year
        "٢٠٢٤-١٠-٢٥",  # Arabic-Indic digits
        "2024-10-25..2024-10-26",
    ],
)
def test_malformed(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_calendar_date(text)
    assert info.value.reason == "malformed"
    assert info.value.text == text


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("2024-02-30", "day is out of range for month"),
        ("31.04.2024", "day is out of range for month"),
        ("2023-02-29", "day is out of range for month"),
        ("2024-13-01", "month must be in 1..12"),
        ("10/25/2024", "month must be in 1..12"),  # month first is never guessed
        ("0000-01-01", "year 0 is out of range"),
        ("00.01.2024", "day is out of range for month"),
    ],
)
def test_impossible_dates(text: str, detail: str) -> None:
    with pytest.raises(DateError) as info:
        parse_calendar_date(text)
    assert info.value.reason == "bad_date"
    assert detail in info.value.detail


def test_the_error_names_the_text_the_problem_and_the_forms() -> None:
    with pytest.raises(DateError) as info:
        parse_calendar_date("2024-02-30")
    error = info.value
    assert isinstance(error, ValueError)  # callers that catch ValueError keep working
    assert (
        str(error) == f"'2024-02-30' is not a date (day is out of range for month); write it as {DATE_FORMS}"
    )
    with pytest.raises(DateError, match=r"^'soon' is not a date; write it as YYYY-MM-DD"):
        parse_calendar_date("soon")


def test_a_long_text_is_cut_in_the_error() -> None:
    with pytest.raises(DateError) as info:
        parse_calendar_date("x" * 10_000)
    assert info.value.text == "x" * 64 + "…"
    assert len(str(info.value)) < 200


@given(st.dates(min_value=date(1000, 1, 1)))
def test_every_date_round_trips(day: date) -> None:
    assert parse_calendar_date(day.isoformat()) == day
    assert parse_calendar_date(day.strftime("%d.%m.%Y")) == day
    assert parse_calendar_date(day.strftime("%d/%m/%Y")) == day


@given(st.text(max_size=20))
def test_any_text_is_a_date_or_a_date_error(text: str) -> None:
    try:
        parse_calendar_date(text)
    except DateError as error:
        assert error.reason in ("malformed", "bad_date")
