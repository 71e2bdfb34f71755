"""What the report parser tells a moderator, as data: a catalog message and its fields.

The parser needs no language: it keeps the message (English, the gettext msgid, marked with ``N_`` so the
catalog has it) and the fields, and ``str()`` gives the English text for logs, the CLI and the JSON API.
The moderation preview says it in the moderator's language (`bot.moderation.workflow`), naming categories
by their names there. Field conventions the renderer relies on: ``cat`` is a category key, ``cats`` a tuple
of keys, ``line`` the quoted line the warning is about, ``days`` a tuple of dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.i18n.catalog import N_

__all__ = ["ParseWarning", "quote"]


@dataclass(frozen=True)
class ParseWarning:
    message: str
    fields: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message.format(**{name: _plain(value) for name, value in self.fields.items()})


def _plain(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def quote(text: str) -> str:
    """A line as a warning shows it: one line, at most 70 characters, in quotes."""
    text = " ".join(text.split())  # blanked dates and links leave runs of spaces
    return f'"{text[:69]}…"' if len(text) > 70 else f'"{text}"'


# --- Messages ----------------------------------------------------------------------------------------
# Dates
NO_DATE = N_("no date found, used {day}")
PAST_DAY = N_("{covered} is the day the losses cover; the report is dated {day}")
AFTER_POSTED = N_("report dated {day}, after {posted}")
OTHER_DATES = N_("the text also mentions {days}; used {day}")
# Lines
NOTICE = N_("notice, not read as figures: {line}")
UNREADABLE = N_("could not read: {line}")
NO_NUMBER = N_("no number for {cat}: {line}")
AMBIGUOUS = N_(
    "{cat}: not read, the text does not say whether {value} is the total or the day's increase: {line}"
)
MORE_LINES = N_("… and {n} more lines not read")
# Figures
SWAPPED = N_("{cat}: the day's increase {increase} is larger than the total {total}: {line}")
INCREASE_ONLY = N_("{cat}: only the day's increase ({increase}) is in the text, not the total")
MERGED_LINE = N_("read as {cat} (one line since {day}): {line}")
STATED_TWICE = N_("{cat} stated twice: kept {kept}, ignored {line}")
INCREASE_TWICE = N_("{cat}: the day's increase stated twice: kept {kept}, ignored {line}")
REPEATED = N_("stated twice with the same figures: {cats}")
INACTIVE = N_("{cat} is not in reports dated {day}: {line}")
NOT_IN_TEXT = N_("not in the text: {cats}")
