"""Month names as people type them, in English and Ukrainian, every case and abbreviation.

Written out here rather than taken from CLDR: CLDR's abbreviations change between releases ("Sep" became
"Sept" in en_GB), and it has no Ukrainian locative or instrumental ("у жовтні", "перед жовтнем"), which
people write. tests/domain/test_months.py checks that every name Babel gives (wide and abbreviated, format
and stand-alone) is here too, so a date the bot itself prints can always be typed back.
"""

from __future__ import annotations

from typing import Final

#: English: the full name and the abbreviations in use (three letters; "sept"; "june", "july" are full).
_ENGLISH: Final = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)

#: Ukrainian: nominative (жовтень 2024, за жовтень), genitive (25 жовтня), locative (у жовтні), dative
#: (по жовтню), instrumental (жовтнем), then the abbreviations (CLDR's "жовт." and the short "жов").
_UKRAINIAN: Final = (
    ("січень", "січня", "січні", "січню", "січнем", "січ"),
    ("лютий", "лютого", "лютому", "лютим", "лют"),
    ("березень", "березня", "березні", "березню", "березнем", "бер", "берез"),
    ("квітень", "квітня", "квітні", "квітню", "квітнем", "квіт", "кві"),
    ("травень", "травня", "травні", "травню", "травнем", "трав", "тра"),
    ("червень", "червня", "червні", "червню", "червнем", "черв", "чер"),
    ("липень", "липня", "липні", "липню", "липнем", "лип"),
    ("серпень", "серпня", "серпні", "серпню", "серпнем", "серп", "сер"),
    ("вересень", "вересня", "вересні", "вересню", "вереснем", "вер", "верес"),
    ("жовтень", "жовтня", "жовтні", "жовтню", "жовтнем", "жовт", "жов"),
    ("листопад", "листопада", "листопаді", "листопаду", "листопадом", "лист", "лис"),
    ("грудень", "грудня", "грудні", "грудню", "груднем", "груд", "гру"),
)


def _table() -> dict[str, int]:
    names: dict[str, int] = {}
    for spellings in (_ENGLISH, _UKRAINIAN):
        for number, forms in enumerate(spellings, start=1):
            for form in forms:
                names[form] = number
    return names


#: Every spelling (casefolded, without a final dot) → the month's number, 1..12.
MONTH_NAMES: Final[dict[str, int]] = _table()


def month_number(word: str) -> int | None:
    """The month WORD names ("October", "oct.", "жовтня", "у жовтні" is read by the caller), or None."""
    return MONTH_NAMES.get(word.casefold().rstrip("."))
