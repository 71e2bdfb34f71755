"""The Ukrainian catalog covers every message the code says, keeps its fields, and has real plurals."""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.domain.periods import parse_period
from bot.i18n.catalog import _, catalog_path, ngettext

ROOT = Path(__file__).resolve().parents[2]
# The keywords .ci/translations extracts with: _(lang, message), ngettext(lang, singular, plural, n), N_(m).
KEYWORDS = {"_": (2,), "ngettext": (2, 3), "N_": None}


def code_messages() -> dict[Any, str]:
    """Every message in bot/ and handlers/, as extracted for the catalog: msgid → where it is."""
    found: dict[Any, str] = {}
    for folder in ("bot", "handlers"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found[message] = f"{folder}/{filename}:{lineno}"
    return found


def uk_catalog() -> dict[Any, Any]:
    with catalog_path("uk").open("rb") as po:
        catalog = read_po(po, locale="uk")
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy}


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_the_code_says_over_a_hundred_messages() -> None:
    # Guards the extraction itself: were the keywords wrong, every other test here would pass on nothing.
    assert len(code_messages()) > 150


def test_every_message_has_a_ukrainian_translation() -> None:
    catalog = uk_catalog()
    untranslated = [
        f"{where}: {message!r}"
        for message, where in code_messages().items()
        if not catalog.get(message) or (isinstance(catalog[message], tuple) and not all(catalog[message]))
    ]
    assert untranslated == [], "run .ci/translations and translate:\n" + "\n".join(untranslated)


def test_translations_keep_the_fields_of_their_message() -> None:
    catalog = uk_catalog()
    for message, where in code_messages().items():
        translated = catalog.get(message)
        if not translated:
            continue  # reported by the test above
        if isinstance(message, tuple):
            expected = fields(message[1])
            for form in translated:
                assert fields(form) == expected, f"{where}: {form!r} has not the fields {expected}"
        else:
            assert isinstance(translated, str)
            assert fields(translated) == fields(message), f"{where}: {translated!r} for {message!r}"


def test_plural_messages_have_the_three_ukrainian_forms() -> None:
    plurals = {m: s for m, s in uk_catalog().items() if isinstance(m, tuple)}
    assert plurals, "the bot has plural messages"
    for message, forms in plurals.items():
        assert isinstance(forms, tuple) and len(forms) == 3, message


@pytest.mark.parametrize(
    ("count", "en", "uk"),
    [
        (1, "last 1 day", "останній 1 день"),
        (2, "last 2 days", "останні 2 дні"),
        (5, "last 5 days", "останні 5 днів"),
        (11, "last 11 days", "останні 11 днів"),
        (21, "last 21 days", "останній 21 день"),
        (22, "last 22 days", "останні 22 дні"),
        (1_000, "last 1,000 days", "останні 1\u00a0000 днів"),
    ],
)
def test_ngettext_chooses_each_languages_plural_form(count: int, en: str, uk: str) -> None:
    assert ngettext("en", "last {n} day", "last {n} days", count) == en
    assert ngettext("uk", "last {n} day", "last {n} days", count) == uk


def test_a_ukrainian_answer_is_translated_and_english_is_the_message_itself() -> None:
    assert _("en", "since {day}", day="21 Oct 2024") == "since 21 Oct 2024"
    assert _("uk", "since {day}", day="21 жовт.") == "з 21 жовт."
    assert _("uk-UA", "all time") == "увесь час"  # any uk* code is Ukrainian
    assert parse_period("all", today=date(2024, 10, 25)).label("uk") == "увесь час"
