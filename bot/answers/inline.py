"""Inline mode (`@botname tanks`, `@botname 2024-10-25`, `@botname week`): the answers a query could mean.

The query is tried as the arguments of each query command; every command that can answer it gives one
result (a category: /category and /top; a date: /day and /totals; a period: /range), so a user picks the
one they meant and sends it into any chat. Plain values, tested without Telegram: handlers/inline.py
turns them into Telegram's inline results.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.answers import commands
from bot.answers.chart import parse_request
from bot.answers.commands import UsageError
from bot.answers.reply import Reply
from bot.charts.request import ChartRequest

#: Telegram's limit on the results of one answer.
MAX_RESULTS = 50
#: Longer queries are not commands' arguments (Telegram allows 256 characters).
MAX_QUERY = 64

Answer = Callable[..., Reply]
#: What a query is tried as, in the order results are offered; an empty query: the latest totals.
TRIED: tuple[tuple[str, Answer], ...] = (
    ("category", commands.category),
    ("top", commands.top),
    ("day", commands.day),
    ("totals", commands.totals),
    ("range", commands.range_),
)
EMPTY: tuple[tuple[str, Answer], ...] = (("totals", commands.totals), ("records", commands.records))


@dataclass(frozen=True)
class InlineItem:
    #: Unique among the results, at most 64 bytes.
    id: str
    #: Plain text: the answer's first line, and its second as the description.
    title: str
    description: str
    #: The message sent when the result is chosen (HTML).
    text: str
    #: The chart that goes with it (a category), offered as a photo when it was uploaded before.
    chart: ChartRequest | None = None


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def _item(name: str, query: str, reply: Reply) -> InlineItem:
    lines = [_plain(line) for line in reply.text.splitlines() if _plain(line)]
    digest = hashlib.sha256(f"{name}\n{query}".encode()).hexdigest()[:32]
    return InlineItem(
        f"{name}-{digest}", lines[0][:128], (lines[1] if len(lines) > 1 else "")[:128], reply.text
    )


def results(session: Session, query: str, *, today: date, lang: str) -> list[InlineItem]:
    """The answers QUERY could mean, at most MAX_RESULTS; none when nothing answers it."""
    query = " ".join(query.split())
    if len(query) > MAX_QUERY:
        return []
    items = []
    for name, answer in TRIED if query else EMPTY:
        try:
            reply = answer(session, query, today=today, lang=lang)
        except UsageError:
            continue
        item = _item(name, query, reply)
        if name == "category":
            item = InlineItem(item.id, item.title, item.description, item.text, _chart_of(query, today, lang))
        items.append(item)
    return items[:MAX_RESULTS]


def _chart_of(query: str, today: date, lang: str) -> ChartRequest | None:
    try:
        return parse_request(query, today=today, lang=lang)
    except UsageError:
        return None
