"""What a bare command from the menu answers, and the buttons under answers: plain Replies, no Telegram.

A button's callback data is ``m:<action>:<asker>:<argument>``: the action names an entry of the one
table of menu actions (handlers/menus.py ACTIONS, which also validates the argument), the asker is the
user who sent the command (in a group only they may press; 0: anyone), the argument what to show.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date

from sqlmodel import Session

from bot.answers import commands as answers
from bot.answers import facts, render
from bot.answers.reply import Button, Keyboard, Reply
from bot.domain.categories import CATEGORIES, Category
from bot.i18n import fmt
from bot.i18n.catalog import N_, _
from bot.i18n.texts import Command, usage_line

PREFIX = "m"
#: Telegram's limit on callback data, in bytes.
MAX_DATA = 64

#: The categories the /top and /category buttons offer (the rest: type the name; /categories lists all).
MAIN_CATEGORIES = (
    "personnel",
    "tanks",
    "afv",
    "artillery",
    "mlrs",
    "air_defense",
    "aircraft",
    "helicopters",
    "uav",
    "cruise_missiles",
    "ships",
    "vehicles_fuel_tanks",
)
#: Shorter names on the category buttons, where the full one does not fit half a phone's width
#: (two buttons a row): "БпЛА оперативно-тактичного рівня" would be cut to "БпЛА операт…". The answer
#: a button gives names the category in full.
BUTTON_NAMES = {
    "afv": N_("AFVs"),
    "artillery": N_("Artillery"),
    "air_defense": N_("Air defence"),
    "uav": N_("UAVs"),
    "ships": N_("Ships / boats"),
    "vehicles_fuel_tanks": N_("Vehicles"),
}
#: The longest label a category or period button may have (its "• " mark included), in characters.
MAX_LABEL = 20

#: The /range buttons: (argument, label). The month and the year are the newest report's, named on the
#: button; "week" and "30d" end at the newest report (bot/domain/periods.py).
FIXED_PERIODS = (("week", N_("7 days")), ("30d", N_("30 days")))
ALL_PERIOD = ("all", N_("All"))

CATEGORY_QUESTIONS = {
    "top": N_("The days with the highest losses of which category?"),
    "cat": N_("Which category?"),
}


def data(action: str, asker: int, argument: str = "") -> str:
    """The callback data of a menu button."""
    encoded = f"{PREFIX}:{action}:{asker}:{argument}"
    if len(encoded.encode()) > MAX_DATA:
        raise ValueError(f"callback data over {MAX_DATA} bytes: {encoded!r}")
    return encoded


def _marked(label: str, chosen: bool) -> str:
    return ("• " if chosen else "") + label


# ---------------------------------------------------------------------------------------------- /day


def day_keyboard(session: Session, day: date, lang: str, asker: int) -> Keyboard:
    """◀ the previous report, the next report ▶ (each when there is one). One row per kind of button:
    another feature adds its row here."""
    before, after = facts.neighbours(session, day)
    nav = []
    if before is not None:
        nav.append(Button("◀ " + fmt.day(before, lang), data("day", asker, before.isoformat())))
    if after is not None:
        nav.append(Button(fmt.day(after, lang) + " ▶", data("day", asker, after.isoformat())))
    return (tuple(nav),) if nav else ()


def day(session: Session, day: date, today: date, lang: str, asker: int) -> Reply | None:
    """The report of DAY with its buttons; None when no report of that day is stored (any more)."""
    try:
        view = facts.day(session, day)
    except facts.Unanswerable:
        return None
    shown = Reply(render.day(view, lang).text, keyboard=answers.day_chart_button(day, lang))
    shown = answers.with_late_notice(session, shown, today=today, lang=lang)
    return with_day_keyboard(session, shown, day, lang, asker)


def latest_day(session: Session, today: date, lang: str, asker: int) -> Reply:
    """A bare /day: the newest report, with its buttons."""
    latest = facts.latest_report_date(session)
    found = day(session, latest, today, lang, asker) if latest is not None else None
    if found is None:
        return Reply(_(lang, "No reports are stored yet."))
    return found


def with_day_keyboard(session: Session, shown: Reply, day: date, lang: str, asker: int) -> Reply:
    """An answer about DAY (/day DATE) with the day's buttons under it."""
    return Reply(shown.text, keyboard=day_keyboard(session, day, lang, asker) + shown.keyboard)


# ------------------------------------------------------------------------------------ /top, /category


def _categories() -> tuple[Category, ...]:
    by_key = {c.key: c for c in CATEGORIES}
    return tuple(by_key[key] for key in MAIN_CATEGORIES)


def _rows(buttons: Iterable[Button], width: int) -> Keyboard:
    listed = list(buttons)
    return tuple(tuple(listed[i : i + width]) for i in range(0, len(listed), width))


def button_name(category: Category, lang: str) -> str:
    short = BUTTON_NAMES.get(category.key)
    return category.name(lang) if short is None else _(lang, short)


def category_keyboard(action: str, lang: str, asker: int, chosen: str | None = None) -> Keyboard:
    return _rows(
        (
            Button(_marked(f"{c.icon} {button_name(c, lang)}", c.key == chosen), data(action, asker, c.key))
            for c in _categories()
        ),
        2,
    )


def category_picker(action: str, lang: str, asker: int) -> Reply:
    """A bare /top or /category (ACTION top or cat): which category, as buttons."""
    example = html.escape(_(lang, CATEGORY_EXAMPLES[action]))
    hint = _(lang, "Or type it: {example}. All categories: /categories", example=example)
    return Reply(
        _(lang, CATEGORY_QUESTIONS[action]) + "\n" + hint, keyboard=category_keyboard(action, lang, asker)
    )


#: How to type what a category button asks; translated, so a Ukrainian reader sees Ukrainian names.
CATEGORY_EXAMPLES = {"top": N_("/top tanks 5"), "cat": N_("/category tanks 2024")}
PERIOD_EXAMPLE = N_("/range 2024-10-21..2024-10-25")


def by_category(session: Session, action: str, key: str, today: date, lang: str, asker: int) -> Reply:
    """The answer a category button gives, with the buttons kept under it (the chosen one marked)."""
    answer = answers.top if action == "top" else answers.category
    try:
        shown = answer(session, key, today=today, lang=lang)
    except answers.UsageError as exc:
        shown = Reply(str(exc))
    return Reply(shown.text, keyboard=shown.keyboard + category_keyboard(action, lang, asker, key))


# -------------------------------------------------------------------------------------------- /range


def periods(session: Session, lang: str) -> tuple[tuple[str, str], ...]:
    """The /range choices: (argument, label)."""
    choices = [(arg, _(lang, label)) for arg, label in FIXED_PERIODS]
    latest = facts.latest_report_date(session)
    if latest is not None:
        month = fmt.month(latest.year, latest.month, lang)  # "серпень 2026": a label starts capitalised
        choices.append((f"{latest:%Y-%m}", month[:1].upper() + month[1:]))
        choices.append((str(latest.year), str(latest.year)))
    choices.append((ALL_PERIOD[0], _(lang, ALL_PERIOD[1])))
    return tuple(choices)


def period_keyboard(session: Session, lang: str, asker: int, chosen: str | None = None) -> Keyboard:
    buttons = [
        Button(_marked(label, arg == chosen), data("range", asker, arg))
        for arg, label in periods(session, lang)
    ]
    return (tuple(buttons[:3]), tuple(buttons[3:]))


def period_picker(session: Session, lang: str, asker: int) -> Reply:
    """A bare /range: which period, as buttons."""
    text = (
        _(lang, "Losses over which period?")
        + "\n"
        + _(
            lang,
            "Or type it: {example}. Periods: /help",
            example=html.escape(_(lang, PERIOD_EXAMPLE)),
        )
    )
    return Reply(text, keyboard=period_keyboard(session, lang, asker))


def by_period(session: Session, period: str, today: date, lang: str, asker: int) -> Reply:
    try:
        shown = answers.range_(session, period, today=today, lang=lang)
    except answers.UsageError as exc:
        shown = Reply(str(exc))
    return Reply(shown.text, keyboard=shown.keyboard + period_keyboard(session, lang, asker, period))


# --------------------------------------------------------------------------------------------- /lang

LANGUAGE_NAMES = {"en": "English", "uk": "Українська"}


def language_picker(lang: str, asker: int) -> Reply:
    """A bare /lang: the two languages as buttons."""
    buttons = tuple(
        Button(_marked(name, code == lang), data("lang", asker, code))
        for code, name in LANGUAGE_NAMES.items()
    )
    return Reply(_(lang, "Choose this chat's language (or type /lang en or /lang uk):"), keyboard=(buttons,))


# --------------------------------------------------------------------------------------------- /help


def moderator_help(lang: str, commands: Iterable[Command]) -> str:
    """The moderators' own section of /help."""
    lines = ["", _(lang, "<b>For moderators</b> (in a private chat with me)")]
    lines += [f"{html.escape(usage_line(c, lang))} — {html.escape(_(lang, c.description))}" for c in commands]
    lines.append(_(lang, "Forward or paste a General Staff report to see its preview."))
    return "\n".join(lines)
