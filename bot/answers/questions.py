"""Questions typed in a private chat ("how many tanks yesterday", "скільки танків за тиждень", "top days
for drones in 2025"), understood by a small grammar and answered by the query commands' own answers.

Not a language model: a question is read as a bag of words holding at most a category, a period, a count
and an intent word ("top", "records", "compare", "total"…), and mapped to the one command that answers
it. The reply names that command, so people learn it. When the words are not enough (a "top" without a
category, a mistyped category), the reply offers the command that would answer instead of guessing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlmodel import Session

from bot.answers import commands, facts, render
from bot.answers.reply import Reply
from bot.domain.categories import BY_KEY, Category, resolve_category, suggest_category
from bot.domain.periods import Period, PeriodError, parse_period
from bot.i18n.catalog import _

#: Longer texts are not questions (a pasted article, a report): they are not read word by word.
MAX_QUESTION = 160
MAX_WORDS = 16

#: Inflected forms questions use and the command aliases lack ("скільки дронів", "how many jets"…).
QUESTION_ALIASES: Final[dict[str, str]] = {
    **dict.fromkeys(
        ["військових", "солдатів", "окупантів", "росіян", "орків", "людей", "живої сили", "russians", "men"],
        "personnel",
    ),
    **dict.fromkeys(["танка"], "tanks"),
    **dict.fromkeys(["броньованих машин", "бронетехніки", "бмп", "бтр", "armour", "armor"], "afv"),
    **dict.fromkeys(["артилерії", "артсистем", "гармат", "артилерійських систем"], "artillery"),
    **dict.fromkeys(["засобів ппо"], "air_defense"),
    **dict.fromkeys(["літаків", "літака"], "aircraft"),
    **dict.fromkeys(["гелікоптерів", "вертольотів"], "helicopters"),
    **dict.fromkeys(["дронів", "безпілотників"], "uav"),
    **dict.fromkeys(["ракет", "крилатих ракет"], "cruise_missiles"),
    **dict.fromkeys(["кораблів", "катерів"], "ships"),
    **dict.fromkeys(["підводних човнів", "човнів", "subs"], "submarines"),
    **dict.fromkeys(["автомобілів", "вантажівок", "цистерн"], "vehicles_fuel_tanks"),
    **dict.fromkeys(["спецтехніки"], "special_equipment"),
    **dict.fromkeys(["роботів"], "ground_robotic_systems"),
}

_TOP_WORDS: Final = frozenset(
    {"top", "топ", "worst", "highest", "biggest", "heaviest", "найбільші", "найбільше", "найвищі", "найгірші"}
)
_RECORD_WORDS: Final = frozenset({"record", "records", "рекорд", "рекорди", "рекордів", "рекордні"})
_COMPARE_WORDS: Final = frozenset({"compare", "порівняй", "порівняти", "порівняння", "порівняйте"})
_TOTAL_WORDS: Final = frozenset({"total", "totals", "всього", "усього", "загалом", "разом", "сумарно"})
_COUNT_WORDS: Final = frozenset({"how", "скільки", "кількість"})
#: Words asking for more than one figure: "tell me more about tanks yesterday", "докладно про танки вчора".
_MORE_WORDS: Final = frozenset(
    {"more", "details", "detail", "detailed", "full", "докладно", "детально", "більше", "подробиці"}
)
#: Words that show a text is a question even without a category or an intent word.
_QUESTION_WORDS: Final = _COUNT_WORDS | frozenset({"losses", "lost", "втрати", "втратили", "втрат"})

_COUNT_RE: Final = re.compile(r"[0-9]{1,2}")
#: "days" after the N of a top: "top 5 days", "топ 3 дні".
_DAY_WORDS: Final = frozenset({"days", "day", "дні", "днів", "день", "дня"})


@dataclass(frozen=True)
class Understood:
    """The question is the command COMMAND with ARGS (as typed after it)."""

    command: str
    args: str
    #: A question about one category on one day: answered in one line (commands.figure_on), not in full.
    brief: bool = False

    def text(self) -> str:
        return f"/{self.command} {self.args}".strip()


@dataclass(frozen=True)
class Unclear:
    """The question is recognisably about the figures, but not enough to answer: OFFER would."""

    offer: str


def _words(text: str) -> list[str]:
    # Punctuation that never belongs to a date; dots and hyphens do ("25.10.2024", "2024-10").
    text = re.sub(r"[?!,;:«»“”\"()]", " ", text.casefold()).rstrip(". ")
    return re.sub(r"(?<![^\W\d_])(top|топ)-(?=[0-9])", r"\1 ", text).split()  # "топ-5" is "топ 5"


def _find_category(words: list[str]) -> tuple[Category, list[str]] | None:
    """The category named by some run of WORDS (the longest), and the words left around it."""
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            key = QUESTION_ALIASES.get(phrase)
            found = BY_KEY[key] if key else resolve_category(phrase)
            if found is not None:
                return found, words[:start] + words[start + size :]
    return None


def _find_period(words: list[str], today: date, newest: date | None) -> tuple[str, Period, list[str]] | None:
    """The longest run of WORDS that is a period, the period, and the words left around it."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            try:
                period = parse_period(phrase, today=today, newest=newest)
            except PeriodError as exc:
                if exc.reason in ("malformed", "empty", "too_long"):
                    continue
                # A period refused by a rule ("tomorrow"): the command will say so.
                return phrase, Period(None, today, "all"), words[:start] + words[start + size :]
            return phrase, period, words[:start] + words[start + size :]
    return None


def _count(words: list[str]) -> str | None:
    return next((w for w in words if _COUNT_RE.fullmatch(w) and 1 <= int(w) <= commands.MAX_TOP), None)


def _top_count(words: list[str]) -> tuple[str | None, list[str]]:
    """The N of "top 5 days", "топ 3 дні" and the words without it: not a period of the last 5 days."""
    for index, word in enumerate(words[:-1]):
        if word in _TOP_WORDS and _count(words[index + 1 : index + 2]) is not None:
            after = words[index + 2 :]
            if after and after[0] in _DAY_WORDS:
                after = after[1:]
            return words[index + 1], words[: index + 1] + after
    return None, words


def understand(text: str, *, today: date, newest: date | None) -> Understood | Unclear | None:
    """What TEXT asks, as a command; Unclear with a command to offer; None when it asks nothing we know."""
    if len(text) > MAX_QUESTION:
        return None
    words = _words(text)
    if not words or len(words) > MAX_WORDS or words[0].startswith("/"):
        return None
    if words[0] in _COMPARE_WORDS:
        return (
            Understood("compare", " ".join(words[1:]))
            if len(words) > 1
            else Unclear("/compare this week last week")
        )
    if len(words) > 2 and words[0] in ("may", "can", "could") and words[1] in ("i", "we", "you"):
        words = words[2:]  # "may I ask…": not the month of May
    intents = set(words)
    top = bool(intents & _TOP_WORDS)
    record = bool(intents & _RECORD_WORDS)
    n, words = _top_count(words) if top else (None, words)
    found = _find_category(words)
    rest = found[1] if found else words
    period = _find_period(rest, today, newest)
    when = period[0] if period else ""
    if found is not None:
        key = found[0].key
        if top:
            n = n or _count(period[2] if period else rest)
            return Understood("top", " ".join(w for w in (key, n, when) if w))
        one_day = period is not None and period[1].kind == "day" and not intents & _MORE_WORDS
        return Understood("category", f"{key} {when}".strip(), brief=one_day)
    if record:
        return Understood("records", when)
    if top:
        return Unclear(f"/top personnel 10 {when}".strip())
    if period is not None:
        kind = period[1].kind
        if kind == "day":
            return Understood("totals" if intents & _TOTAL_WORDS else "day", when)
        return Understood("range", when)
    if intents & _TOTAL_WORDS:
        return Understood("totals", "")
    return _guess(words, intents)


def _guess(words: list[str], intents: set[str]) -> Unclear | None:
    """No category, period or intent was found: a mistyped category, or a question we cannot read."""
    if not intents & _QUESTION_WORDS:
        return None  # "thanks!" is no question, though it is close to "tanks"
    for word in words:
        if len(word) >= 4 and (guess := suggest_category(word)) is not None:
            return Unclear(f"/category {guess[1].key}")
    return Unclear("/totals")


Answer = Callable[..., Reply]

ANSWERS: Final[dict[str, Answer]] = {
    "totals": commands.totals,
    "day": commands.day,
    "range": commands.range_,
    "top": commands.top,
    "category": commands.category,
    "records": commands.records,
    "compare": commands.compare,
}


def answer(session: Session, text: str, *, today: date, lang: str) -> Reply | None:
    """The reply to a question typed as TEXT, or None when TEXT asks nothing the bot knows."""
    asked = understand(text, today=today, newest=facts.latest_report_date(session))
    if asked is None:
        return None
    if isinstance(asked, Unclear):
        return Reply(
            _(
                lang,
                "I'm not sure what you are asking. This command may answer it: {command}\n"
                "See /help for more.",
                command=html.escape(asked.offer),
            )
        )
    try:
        respond = commands.figure_on if asked.brief else ANSWERS[asked.command]
        reply = respond(session, asked.args, today=today, lang=lang)
    except commands.UsageError as exc:
        reply = Reply(str(exc))
    hint = _(lang, "💬 Asked as: {command}", command=html.escape(asked.text()))
    return Reply(render.fit(f"{reply.text}\n\n{hint}", lang), reply.photo, reply.document, reply.keyboard)
