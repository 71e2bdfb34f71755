"""Exact-string tests of bot.i18n.fmt for English and Ukrainian.

The expected strings spell Babel's special spaces out (NBSP, NNBSP, THIN) so that a change in CLDR data
shows up here as a failure rather than as a silent change in what users see.
"""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_decimal

from bot.i18n import fmt

NBSP = "\u00a0"  # Ukrainian digit grouping
NNBSP = "\u202f"  # before the Ukrainian year mark "р."
THIN = "\u2009"  # around the dash of a range over several months
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("n", "en", "uk"),
    [
        (0, "0", "0"),
        (7, "7", "7"),
        (999, "999", "999"),
        (1000, "1,000", f"1{NBSP}000"),
        (1630, "1,630", f"1{NBSP}630"),
        (1_234_567, "1,234,567", f"1{NBSP}234{NBSP}567"),
        (-14, f"{MINUS}14", f"{MINUS}14"),
        (-1_000_000, f"{MINUS}1,000,000", f"{MINUS}1{NBSP}000{NBSP}000"),
    ],
)
def test_number(n: int, en: str, uk: str) -> None:
    assert fmt.number(n, "en") == en
    assert fmt.number(n, "uk") == uk


@pytest.mark.parametrize(
    ("n", "en", "uk"),
    [
        (0, "0", "0"),
        (1, "+1", "+1"),
        (1630, "+1,630", f"+1{NBSP}630"),
        (2_000_000, "+2,000,000", f"+2{NBSP}000{NBSP}000"),
        (-14, f"{MINUS}14", f"{MINUS}14"),
        (-1630, f"{MINUS}1,630", f"{MINUS}1{NBSP}630"),
    ],
)
def test_signed(n: int, en: str, uk: str) -> None:
    assert fmt.signed(n, "en") == en
    assert fmt.signed(n, "uk") == uk


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_numbers_read_as_babel_writes_them(lang: str) -> None:
    """fmt formats numbers without Babel's pattern machinery (for speed): the text must be Babel's."""
    locale, draw = fmt.locale_for(lang), random.Random(2022)
    whole = [*range(-1100, 1100), *(draw.randint(-(10**10), 10**10) for _ in range(3000))]
    for n in whole:
        assert fmt.number(n, lang) == fmt._with_minus(format_decimal(n, format="#,##0", locale=locale))
    for x in [0.25, 0.05, -0.04, 999.95, *(draw.uniform(-5000.0, 2e6) for _ in range(3000))]:
        rounded = abs(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        babel = format_decimal(rounded, format="#,##0.0", locale=locale)
        assert fmt.average(x, lang) == (babel if x >= 0 or rounded == 0 else fmt.MINUS + babel)


def test_negative_numbers_never_use_hyphen_minus() -> None:
    for lang in ("en", "uk"):
        assert "-" not in fmt.number(-5, lang)
        assert "-" not in fmt.signed(-5, lang)
        assert "-" not in fmt.average(-5.0, lang)


@pytest.mark.parametrize(
    ("x", "en", "uk"),
    [
        (0.0, "0.0", "0,0"),
        (1478.0, "1,478.0", f"1{NBSP}478,0"),
        (1478.04, "1,478.0", f"1{NBSP}478,0"),
        (0.25, "0.3", "0,3"),  # half-up, not banker's rounding
        (0.05, "0.1", "0,1"),  # the float 0.05 is slightly below 0.05; we round what it prints as
        (2.675, "2.7", "2,7"),
        (-0.04, "0.0", "0,0"),  # no "−0.0"
        (-1234.56, f"{MINUS}1,234.6", f"{MINUS}1{NBSP}234,6"),
        (1e6, "1,000,000.0", f"1{NBSP}000{NBSP}000,0"),
        (12_345_678.95, "12,345,679.0", f"12{NBSP}345{NBSP}679,0"),
    ],
)
def test_average(x: float, en: str, uk: str) -> None:
    assert fmt.average(x, "en") == en
    assert fmt.average(x, "uk") == uk


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_average_refuses_non_finite(x: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        fmt.average(x, "en")


@pytest.mark.parametrize(
    ("d", "en", "uk"),
    [
        (date(2024, 10, 25), "25 Oct 2024", f"25 жовт. 2024{NNBSP}р."),
        (date(2022, 2, 24), "24 Feb 2022", f"24 лют. 2022{NNBSP}р."),
        (date(2024, 9, 5), "5 Sept 2024", f"5 вер. 2024{NNBSP}р."),
        (date(2025, 5, 1), "1 May 2025", f"1 трав. 2025{NNBSP}р."),
    ],
)
def test_day(d: date, en: str, uk: str) -> None:
    assert fmt.day(d, "en") == en
    assert fmt.day(d, "uk") == uk


@pytest.mark.parametrize(
    ("d", "en", "uk"),
    [
        (date(2024, 10, 25), "Friday, 25 October 2024", f"пʼятниця, 25 жовтня 2024{NNBSP}р."),
        (date(2022, 2, 24), "Thursday, 24 February 2022", f"четвер, 24 лютого 2022{NNBSP}р."),
        (date(2024, 5, 12), "Sunday, 12 May 2024", f"неділя, 12 травня 2024{NNBSP}р."),
    ],
)
def test_day_long(d: date, en: str, uk: str) -> None:
    assert fmt.day_long(d, "en") == en
    assert fmt.day_long(d, "uk") == uk


@pytest.mark.parametrize(
    ("start", "end", "en", "uk"),
    [
        (date(2024, 10, 21), date(2024, 10, 25), "21–25 Oct 2024", f"21–25 жовт. 2024{NNBSP}р."),
        (
            date(2024, 9, 28),
            date(2024, 10, 3),
            f"28 Sept{THIN}–{THIN}3 Oct 2024",
            f"28 вер.{THIN}–{THIN}3 жовт. 2024{NNBSP}р.",
        ),
        (
            date(2023, 12, 21),
            date(2024, 1, 5),
            f"21 Dec 2023{THIN}–{THIN}5 Jan 2024",
            f"21 груд. 2023{THIN}–{THIN}5 січ. 2024{NNBSP}рр.",
        ),
        (date(2024, 10, 25), date(2024, 10, 25), "25 Oct 2024", f"25 жовт. 2024{NNBSP}р."),
    ],
)
def test_day_range(start: date, end: date, en: str, uk: str) -> None:
    assert fmt.day_range(start, end, "en") == en
    assert fmt.day_range(start, end, "uk") == uk


@pytest.mark.parametrize(
    ("cldr", "shown"),
    [
        # The separators CLDR releases have used for the same intervals: each reads the same to users.
        ("21–25 Oct 2024", "21–25 Oct 2024"),
        (f"21{THIN}–{THIN}25 Oct 2024", "21–25 Oct 2024"),
        ("21 – 25 Oct 2024", "21–25 Oct 2024"),
        (f"28 Sept{THIN}–{THIN}3 Oct 2024", f"28 Sept{THIN}–{THIN}3 Oct 2024"),
        ("28 Sept – 3 Oct 2024", f"28 Sept{THIN}–{THIN}3 Oct 2024"),
        (f"28 вер.{NBSP}— 3 жовт. 2024{NNBSP}р.", f"28 вер.{THIN}–{THIN}3 жовт. 2024{NNBSP}р."),
        ("28 вер. – 3 жовт. 2024 р.", f"28 вер.{THIN}–{THIN}3 жовт. 2024 р."),
        ("25 Oct 2024", "25 Oct 2024"),  # no dash: nothing to normalise
    ],
)
def test_range_dash_follows_one_rule_whatever_cldr_writes(cldr: str, shown: str) -> None:
    assert fmt.normalise_range_dash(cldr) == shown


@pytest.mark.parametrize(
    ("year", "month", "en", "uk"),
    [
        (2024, 10, "October 2024", "жовтень 2024"),  # nominative, not the genitive "жовтня"
        (2022, 2, "February 2022", "лютий 2022"),
        (2023, 5, "May 2023", "травень 2023"),
        (2025, 12, "December 2025", "грудень 2025"),
    ],
)
def test_month(year: int, month: int, en: str, uk: str) -> None:
    assert fmt.month(year, month, "en") == en
    assert fmt.month(year, month, "uk") == uk


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0th"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (100, "100th"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (1001, "1001st"),
    ],
)
def test_ordinal_en(n: int, expected: str) -> None:
    assert fmt.ordinal(n, "en") == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0-ве"),  # нульове
        (1, "1-ше"),  # перше
        (2, "2-ге"),  # друге
        (3, "3-тє"),  # третє
        (4, "4-те"),  # четверте
        (5, "5-те"),  # пʼяте
        (6, "6-те"),  # шосте
        (7, "7-ме"),  # сьоме
        (8, "8-ме"),  # восьме
        (9, "9-те"),  # девʼяте
        (10, "10-те"),  # десяте
        (11, "11-те"),  # одинадцяте
        (12, "12-те"),  # дванадцяте
        (13, "13-те"),  # тринадцяте
        (17, "17-те"),  # сімнадцяте
        (20, "20-те"),  # двадцяте
        (21, "21-ше"),  # двадцять перше
        (22, "22-ге"),  # двадцять друге
        (23, "23-тє"),  # двадцять третє
        (27, "27-ме"),  # двадцять сьоме
        (30, "30-те"),  # тридцяте
        (40, "40-ве"),  # сорокове
        (48, "48-ме"),  # сорок восьме
        (90, "90-те"),  # девʼяносте
        (100, "100-те"),  # соте
        (101, "101-ше"),  # сто перше
        (111, "111-те"),  # сто одинадцяте
        (140, "140-ве"),  # сто сорокове
        (200, "200-те"),  # двохсоте
        (1000, "1000-не"),  # тисячне
        (1003, "1003-тє"),  # тисяча третє
        (1100, "1100-те"),  # тисяча соте
        (2000, "2000-не"),  # двохтисячне
        (1_000_000, "1000000-не"),  # мільйонне
    ],
)
def test_ordinal_uk(n: int, expected: str) -> None:
    assert fmt.ordinal(n, "uk") == expected


def test_ordinal_refuses_negative() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        fmt.ordinal(-1, "en")


@pytest.mark.parametrize("lang", ["uk", "UK", "uk-UA", "uk_UA"])
def test_ukrainian_codes(lang: str) -> None:
    assert fmt.is_uk(lang)
    assert fmt.number(1630, lang) == f"1{NBSP}630"


@pytest.mark.parametrize("lang", ["en", "en-US", "de", "ru", ""])
def test_other_codes_fall_back_to_english(lang: str) -> None:
    assert not fmt.is_uk(lang)
    assert fmt.day(date(2024, 10, 25), lang) == "25 Oct 2024"


@pytest.mark.parametrize(
    ("n", "uk_form"),
    [(1, "one"), (21, "one"), (2, "few"), (24, "few"), (5, "many"), (11, "many"), (12, "many"), (25, "many")],
)
def test_plural_form(n: int, uk_form: str) -> None:
    assert fmt.plural_form(n, "uk") == uk_form
    assert fmt.plural_form(n, "en") == ("one" if n == 1 else "other")
