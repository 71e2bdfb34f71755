"""Every sentence the bot says goes through here: gettext catalogs, one per language, read through Babel.

Messages are written in English in the code, as gettext's msgids::

    _(lang, "No report for {day} yet.", day=...)
    ngettext(lang, "{n} report", "{n} reports", count)

Ukrainian lives in ``bot/i18n/locales/uk/LC_MESSAGES/lossbot.po``, compiled in memory when this module is
first imported (so there is no generated ``.mo`` to keep in step). English needs no catalog: the msgid is
the English text and gettext's English plural rule (one / other) applies. Fields are filled with
``str.format`` after translation, so a translation may reorder them.

To add or change a message: write it in the code, then refresh the catalog and translate what is new
(the README's "Translations" section gives the two commands); ``tests/i18n/test_catalog.py`` fails while a
message has no Ukrainian translation or a translation loses a field.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n.fmt import is_uk, number

LANGS = ("en", "uk")
DOMAIN = "lossbot"
LOCALES = Path(__file__).parent / "locales"


def catalog_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    """LANG's compiled catalog (Ukrainian for uk*, the English msgids otherwise)."""
    if not is_uk(lang):
        return gettext.NullTranslations()
    with catalog_path("uk").open("rb") as po:
        catalog = read_po(po, locale="uk", domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(lang: str, message: str, /, **fields: object) -> str:
    """MESSAGE in LANG, with FIELDS filled in."""
    text = _translations(lang).gettext(message)
    return text.format(**fields) if fields else text


def ngettext(lang: str, singular: str, plural: str, count: int, /, **fields: object) -> str:
    """The form of SINGULAR/PLURAL that COUNT takes in LANG; ``{n}`` is COUNT written for LANG."""
    text = _translations(lang).ngettext(singular, plural, count)
    return text.format(**{"n": number(count, lang), **fields})


def N_(message: str) -> str:  # gettext's conventional name: mark a message, translate it later
    """Mark MESSAGE for the catalog where it is declared; `_` translates it where it is shown."""
    return message
