"""Text from outside on the operator's terminal: a chat's title, Telegram's or a source's error text, a
name read from a dataset. Control characters in it could move the cursor, rewrite earlier lines, retitle
the window or reorder what is shown (bidirectional overrides), so they are stripped before printing."""

from __future__ import annotations

import html
import re
from typing import Final

#: C0 and C1 controls (ESC starts every terminal escape sequence), DEL, and the bidirectional embeddings,
#: overrides and isolates. Newlines are kept or flattened as the caller says.
_CONTROLS: Final = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, *, one_line: bool = False) -> str:
    """TEXT without control characters; ONE_LINE: newlines become spaces too (a field of a table row)."""
    cleaned = _CONTROLS.sub("", str(text))
    return " ".join(cleaned.splitlines()) if one_line else cleaned


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """COUNT and the noun as English says it: "1 report", "2 reports" (PLURAL where it is not NOUN + s).
    The operator's terminal is English only; what users read is translated with ngettext."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def as_plain_text(markup: str) -> str:
    """The HTML a Telegram client would render, as plain text for a terminal."""
    text = re.sub(
        r'<a href="([^"]*)">([^<]*)</a>', lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})", markup
    )
    return html.unescape(re.sub(r"</?[a-z]+[^>]*>", "", text))
