"""The query commands: /totals /day /range /top /category /records /compare."""

from __future__ import annotations

from bot.answers import commands as answers
from bot.services import BotApplication
from handlers.common import answering, command

QUERIES = {
    "totals": answers.totals,
    "day": answers.day,
    "range": answers.range_,
    "top": answers.top,
    "category": answers.category,
    "records": answers.records,
    "compare": answers.compare,
}


def register(app: BotApplication) -> None:
    for name, answer in QUERIES.items():
        app.add_handler(command(name, answering(answer)))
