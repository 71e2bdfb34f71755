"""What a user reads of the bot's answers: the HTML as a Telegram client shows it, and the query commands'
answers (or their usage errors) called as the bot calls them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from bot.answers import commands as answers
from bot.answers.commands import UsageError
from bot.answers.render import MAX_MESSAGE
from bot.answers.reply import Reply

Answer = Callable[..., Reply]
QUERIES: dict[str, Answer] = {
    "totals": answers.totals,
    "day": answers.day,
    "range": answers.range_,
    "top": answers.top,
    "category": answers.category,
    "records": answers.records,
    "compare": answers.compare,
}


def plain(markup: str) -> str:
    """What a Telegram client shows for the HTML the bot sends."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def command_text(session: Session, command: str, args: str, *, today: date, lang: str) -> str:
    """The text the user reads after /COMMAND ARGS: the answer, or the explanation of a usage error; it
    fits one message."""
    try:
        text = QUERIES[command](session, args, today=today, lang=lang).text
    except UsageError as exc:
        text = str(exc)
    assert len(text) <= MAX_MESSAGE
    return plain(text)
