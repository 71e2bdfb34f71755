"""Locale formatting of numbers, dates and ordinals for the bot's two languages.

The bot speaks English (``"en"``) and Ukrainian (``"uk"``). Every function here takes a ``lang`` code;
anything whose primary subtag is ``uk`` (``"uk"``, ``"uk-UA"``, ``"uk_UA"``) is Ukrainian and everything
else is English, because Telegram hands us whatever language code the user's client reports and an
unknown one should still get a readable answer rather than an exception.

English uses Babel's ``en_GB`` data: the bot writes day-month-year ("25 Oct 2024"), which is the order a
Ukrainian audience reading English expects, and ``en_GB`` gives that order in single dates and in ranges.

Babel's (CLDR's) output is kept as it is for numbers and single dates, including its special spaces:

* Ukrainian digit grouping uses U+00A0 NO-BREAK SPACE: ``number(1630, "uk") == "1\\u00a0630"``.
* Ukrainian dates put U+202F NARROW NO-BREAK SPACE before the year mark: ``"25 жовт. 2024\\u202fр."``.

Both kinds of no-break space also stop Telegram from wrapping a figure in the middle.

Date ranges are **normalised**, because CLDR changes their separator from release to release (CLDR 44
wrote ``21–25 Oct``, CLDR 46 ``21 – 25 Oct``; Ukrainian moved from ``–`` to ``\\xa0—``). The rule, in
both languages: an en dash, closed between two day numbers (``21–25 Oct 2024``), and with U+2009 THIN
SPACE on both sides when either side holds more than a number (``28 Sept\\u2009–\\u20093 Oct 2024``).

The one departure from Babel: negative numbers get a real minus sign (U+2212) instead of CLDR's
hyphen-minus for both locales, so a loss figure such as ``−14`` is typeset like a number, not like a dash.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_interval
from babel.numbers import get_decimal_symbol, get_group_symbol

__all__ = [
    "MINUS",
    "average",
    "day",
    "day_long",
    "day_range",
    "is_uk",
    "locale_for",
    "month",
    "number",
    "ordinal",
    "plural_form",
    "signed",
]

MINUS = "\u2212"
THIN = "\u2009"
"""U+2212 MINUS SIGN, used for every negative number this module prints."""

_EN = Locale.parse("en_GB")
_UK = Locale.parse("uk")


def locale_for(lang: str) -> Locale:
    """Return the Babel locale used for ``lang`` (Ukrainian for ``uk*``, British English otherwise)."""
    primary = lang.replace("_", "-").split("-", 1)[0].strip().lower()
    return _UK if primary == "uk" else _EN


def _symbols(locale: Locale) -> dict[int, str]:
    """Python's "," and "." in a formatted number → the locale's group and decimal symbols."""
    return str.maketrans({",": get_group_symbol(locale=locale), ".": get_decimal_symbol(locale=locale)})


# An answer formats dozens of numbers and dates: Babel's pattern machinery takes ~30 µs a number, so the
# "#,##0" and "#,##0.0" patterns (grouping by three, the locale's symbols) are done by Python's own
# format with the locale's symbols (tests/i18n check they agree with Babel), and dates are cached.
_NUMBER_SYMBOLS = {id(_EN): _symbols(_EN), id(_UK): _symbols(_UK)}


def is_uk(lang: str) -> bool:
    """Whether ``lang`` selects Ukrainian (see :func:`locale_for`)."""
    return locale_for(lang) is _UK


def _with_minus(text: str) -> str:
    # CLDR's minus sign for both en and uk is the ASCII hyphen-minus; it only ever appears as the leading
    # character of Babel's decimal patterns, so replacing that one character is safe.
    if text.startswith("-"):
        return MINUS + text[1:]
    return text


def number(n: int, lang: str) -> str:
    """Format an integer with the locale's digit grouping.

    >>> number(1630, "en")
    '1,630'
    >>> number(1630, "uk")
    '1\\xa0630'
    >>> number(-14, "en")
    '−14'
    """
    return _with_minus(f"{n:,}".translate(_NUMBER_SYMBOLS[id(locale_for(lang))]))


def signed(n: int, lang: str) -> str:
    """Format a change with an explicit sign: ``+1,630``, ``−14``; zero is ``0`` (it has no direction)."""
    if n > 0:
        return "+" + number(n, lang)
    return number(n, lang)


def average(x: float, lang: str) -> str:
    """Format a mean with exactly one decimal: ``1,478.0`` / ``1 478,0`` (with U+00A0 in Ukrainian).

    Rounding is half-up on the decimal value the float prints as (``repr``), so ``0.25`` gives ``0.3`` as a
    reader would round it by hand, rather than Babel's default banker's rounding or the binary float's
    ``0.2``. A value that rounds to zero never shows a minus sign.
    """
    if not math.isfinite(x):
        raise ValueError(f"cannot format a non-finite average: {x!r}")
    rounded = Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "−0.0"
    return _with_minus(f"{rounded:,.1f}".translate(_NUMBER_SYMBOLS[id(locale_for(lang))]))


@lru_cache(maxsize=8192)
def day(d: date, lang: str) -> str:
    """Format a date compactly: ``25 Oct 2024`` / ``25 жовт. 2024 р.`` (CLDR's medium format)."""
    return format_date(d, format="medium", locale=locale_for(lang))


@lru_cache(maxsize=4096)
def day_long(d: date, lang: str) -> str:
    """Format a date with the weekday: ``Friday, 25 October 2024`` / ``пʼятниця, 25 жовтня 2024 р.``."""
    return format_date(d, format="full", locale=locale_for(lang))


@lru_cache(maxsize=4096)
def day_range(start: date, end: date, lang: str) -> str:
    """Format an inclusive range of days, sharing the common parts: ``21–25 Oct 2024``.

    Ranges over month or year boundaries repeat what differs (``28 Sept – 3 Oct 2024``,
    ``21 груд. 2023 – 5 січ. 2024 рр.``); a one-day range is just that day.
    """
    if start == end:
        return day(start, lang)
    return normalise_range_dash(format_interval(start, end, "yMMMd", locale=locale_for(lang)))


# The dash between the two ends of an interval, with whatever spaces CLDR puts around it.
_INTERVAL_DASH = re.compile(r"\s*[–—]\s*")


def normalise_range_dash(interval: str) -> str:
    """Apply the module's one rule for range dashes to a CLDR interval (see the module docstring)."""
    parts = _INTERVAL_DASH.split(interval, maxsplit=1)
    if len(parts) != 2:
        return interval
    start, end = parts
    if start.isdigit():  # "21–25 Oct 2024": only the day number differs
        return f"{start}–{end}"
    return f"{start}{THIN}–{THIN}{end}"


def month(year: int, month: int, lang: str) -> str:
    """Name a calendar month: ``October 2024`` / ``жовтень 2024``.

    Ukrainian needs the stand-alone (nominative) month name, hence the ``LLLL`` pattern; ``MMMM`` would give
    the genitive "жовтня" used inside full dates.
    """
    return format_date(date(year, month, 1), format="LLLL y", locale=locale_for(lang))


def plural_form(n: int, lang: str) -> str:
    """Return CLDR's plural category of ``n`` in ``lang``: ``one``, ``few``, ``many`` or ``other``."""
    return str(locale_for(lang).plural_form(abs(n)))


# Endings of the Ukrainian neuter ordinal ("перше місце") written after the digits. The orthographic rule
# is to keep the last letter of the word when a vowel precedes the ending (1-й, 3-й) and the last two
# letters when a consonant does — which for the neuter is always: перше → 1-ше, друге → 2-ге, третє → 3-тє,
# четверте → 4-те, пʼяте, шосте → 5-те, 6-те, сьоме, восьме → 7-ме, 8-ме, девʼяте → 9-те.
_UK_UNITS = {1: "ше", 2: "ге", 3: "тє", 4: "те", 5: "те", 6: "те", 7: "ме", 8: "ме", 9: "те"}


def _uk_neuter_ending(n: int) -> str:
    """Ending of the Ukrainian neuter ordinal of ``n >= 0``.

    Only the last word of a compound ordinal is inflected (сто двадцять перше), and the round numbers have
    their own stems: нульове (0-ве), десяте…девʼятнадцяте (-те), двадцяте…девʼяносте (-те) but сорокове
    (40-ве), соте and двохсоте…девʼятисоте (-те), and тисячне, мільйонне, мільярдне… (-не).
    """
    if n == 0:
        return "ве"
    if n % 1000 == 0:
        return "не"  # тисячне, двохтисячне, мільйонне, мільярдне ...
    hundreds_part = n % 1000
    if hundreds_part % 100 == 0:
        return "те"  # соте, двохсоте, ... девʼятисоте
    last_two = hundreds_part % 100
    if 10 <= last_two <= 19:
        return "те"  # десяте, одинадцяте ... девʼятнадцяте
    if last_two % 10 == 0:
        return "ве" if last_two == 40 else "те"  # сорокове; двадцяте, тридцяте, ... девʼяносте
    return _UK_UNITS[last_two % 10]


_EN_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int, lang: str) -> str:
    """Format a rank: ``1st 2nd 3rd 11th 21st 111th`` / ``1-ше 2-ге 3-тє 7-ме 40-ве 1000-не``.

    Ukrainian uses the neuter form because the bot ranks days and "місце" (place) is neuter. Digits are not
    grouped (``1000-не``, ``1000th``), as is usual for ranks. Negative ranks make no sense and raise
    ``ValueError``.
    """
    if n < 0:
        raise ValueError(f"an ordinal needs a non-negative number, got {n}")
    if is_uk(lang):
        return f"{n}-{_uk_neuter_ending(n)}"
    if 11 <= n % 100 <= 13:
        return f"{n}th"  # eleventh, twelfth, thirteenth — also 111th, 212th ...
    return f"{n}{_EN_SUFFIXES.get(n % 10, 'th')}"
