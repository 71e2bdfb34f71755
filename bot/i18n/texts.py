"""What several features show: the command table (for /help and the command menu) and source names.

Descriptions and names are catalog messages (`N_`), translated where they are shown.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.i18n.catalog import N_, _

#: Who a command is for, which decides the command menus it is in (bot/app.py): EVERYONE's are in every
#: chat's menu; MANAGERS' (a chat's settings) in private chats and for group administrators; MODERATORS'
#: only in each moderator's private chat with the bot.
EVERYONE, MANAGERS, MODERATORS = "everyone", "managers", "moderators"


class Command(NamedTuple):
    """One command as /help and the command menu show it."""

    name: str
    usage: str
    #: A catalog message: `_(lang, command.description)` shows it.
    description: str
    audience: str = EVERYONE


#: The source of each stored report, as named in answers.
SOURCE_NAMES: dict[str, str] = {
    "petroivaniuk": N_("PetroIvaniuk dataset"),
    "orc-losses": N_("orc-losses dataset (lod-db)"),
    "russianwarship": N_("russianwarship.rip"),
    "moderator": N_("General Staff report, published by a moderator"),
}

SOURCE_HOME: dict[str, str] = {
    "petroivaniuk": "https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset",
    "orc-losses": "https://github.com/lod-db/orc-losses",
    "russianwarship": "https://russianwarship.rip",
}

# The query commands, in menu order. Other features (moderation, subscriptions) declare their own
# `COMMANDS` the same way; the composition point joins them.
COMMANDS: tuple[Command, ...] = (
    Command("totals", "/totals [DATE]", N_("totals as of the latest report (or DATE)")),
    Command("day", "/day [DATE]", N_("one report: the day's losses, totals and ranks")),
    Command("range", "/range [PERIOD]", N_("losses summed over a period, with daily averages")),
    Command("top", "/top [CATEGORY [N] [PERIOD]]", N_("the N days with the highest losses")),
    Command("category", "/category [CATEGORY [PERIOD]]", N_("one category: total, averages, record, rank")),
    Command("records", "/records [PERIOD]", N_("the record day of each category (within PERIOD)")),
    Command("compare", "/compare PERIOD PERIOD", N_("two periods side by side, with the change")),
    Command(
        "digest",
        "/digest [week|month] [DATE]",
        N_("the digest of the last week or month, as subscribers get it"),
    ),
    Command("categories", "/categories", N_("category names and what you can type")),
    Command("lang", "/lang [en|uk]", N_("set this chat's language"), MANAGERS),
    Command("help", "/help", N_("this help")),
    Command("start", "/start", N_("what this bot does")),
)

#: An example under each usage line; catalog messages, so a Ukrainian reader sees Ukrainian names and dates.
EXAMPLES: dict[str, str] = {
    "totals": N_("/totals 2025-08-22"),
    "day": N_("/day 2024-10-25"),
    "range": N_("/range 2024-10-21..2024-10-25"),
    "top": N_("/top personnel 3 2022-04-01..2024-10-25"),
    "category": N_("/category tanks 2024"),
    "lang": "/lang uk",
    "records": N_("/records 2024"),
    "compare": N_("/compare this week last week"),
    "digest": N_("/digest month 2024-10"),
}


#: The placeholders of the usage lines, translated where shown ("/day [DATE]" is "/day [ДАТА]" in Ukrainian);
#: "time", "top" and "en|uk" are typed as they are; /digest reads "week" and "month" in both languages.
PLACEHOLDERS: dict[str, str] = {
    "DATE": N_("DATE"),
    "PERIOD": N_("PERIOD"),
    "CATEGORY": N_("CATEGORY"),
    "TEXT": N_("TEXT"),
    "TOTAL": N_("TOTAL"),
    "INCREASE": N_("INCREASE"),
    "ZONE": N_("ZONE"),
    "HH:MM": N_("HH:MM"),
    "week|month": N_("week|month"),
}
_PLACEHOLDER = re.compile(r"\b(?:" + "|".join(map(re.escape, PLACEHOLDERS)) + r")\b")


def usage_line(command: Command, lang: str) -> str:
    """The command's usage in LANG: its placeholders translated."""
    return _PLACEHOLDER.sub(lambda m: _(lang, PLACEHOLDERS[m.group()]), command.usage)


def source_name(source: str, lang: str) -> str:
    name = SOURCE_NAMES.get(source)
    return source if name is None else _(lang, name)
