"""The query commands: /totals /day /range /top /category /records /compare.

Sent bare from the command menu, /day shows the newest report and /range, /top and /category offer
buttons (handlers/menus.py)."""

from __future__ import annotations

from bot.answers import commands as answers
from bot.answers import digest
from bot.services import BotApplication
from handlers import menus
from handlers.common import Handler, answering, command

QUERIES: dict[str, Handler] = {
    "totals": answering(answers.totals),
    "day": menus.day_command,
    "range": menus.range_command,
    "top": menus.top_command,
    "category": menus.category_command,
    "records": answering(answers.records),
    "compare": answering(answers.compare),
    "digest": answering(digest.digest_command),
}


def register(app: BotApplication) -> None:
    for name, handle in QUERIES.items():
        app.add_handler(command(name, handle))
