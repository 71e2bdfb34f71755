"""The buttons under answers: a bare /day, /top, /category, /range and /lang from the command menu, and
what each button press does (bot/answers/menus.py builds the Replies and their buttons).

A press edits the message the button is on. Every press is answered (or its spinner stays): with nothing
when the message changed, else with a short text saying why not — data that names no known action, an
old message, a report that is no longer stored, or someone else's buttons in a group.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlmodel import Session
from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Chat,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.answers import commands as answers
from bot.answers import menus
from bot.answers.render import fit
from bot.answers.reply import Reply
from bot.domain.categories import CATEGORIES
from bot.domain.periods import PeriodError, parse_date
from bot.i18n.catalog import LANGS, N_, _
from bot.i18n.texts import EVERYONE, MANAGERS, MODERATORS, Command
from bot.services import BotApplication, BotContext
from handlers.common import NO_LONGER_VALID, Handler, command_args, markup, reply
from handlers.subscriptions import may_manage
from storage import chats

log = logging.getLogger(__name__)

TOO_OLD = N_("This message is too old for its buttons. Send the command again.")
NOT_YOURS = N_("These buttons are for whoever asked. Send the command yourself to get your own.")
REPORT_GONE = N_("That report is no longer stored. Send /day for the latest one.")
ADMINS_ONLY = N_("Only the group's administrators can change its language.")


@dataclass(frozen=True)
class Press:
    """A menu button's callback data, read: ``m:<action>:<asker>:<argument>``."""

    action: str
    asker: int
    argument: str


PressHandler = Callable[[Update, BotContext, Press], Awaitable[None]]


@dataclass(frozen=True)
class MenuAction:
    #: What the argument must be (the whole of it).
    argument: re.Pattern[str]
    run: PressHandler


def asker_of(update: Update) -> int:
    """Who sent the command: only they may press its buttons in a group. 0, anyone: in a channel, and
    for a group's anonymous administrator (who writes as the group, and presses as themselves); the
    language buttons check the presser is an administrator all the same."""
    message, user = update.effective_message, update.effective_user
    if user is None or (message is not None and message.sender_chat is not None):
        return 0
    return user.id


def shown_day(args: str, today: date) -> date | None:
    """The day a /day DATE answer is about, when the argument reads as one day (a future one too)."""
    try:
        return parse_date(args, today=today)
    except PeriodError as exc:
        if exc.reason != "future":
            return None
    try:
        return parse_date(args, today=date.max)  # as the answer reads it (bot/answers/commands.py)
    except PeriodError:
        return None


# -------------------------------------------------------------------------------------------- commands


class CommandReply(Protocol):
    """What a command of the menu answers: the Reply to ARGS (its text after the command), asked on TODAY
    in LANG by ASKER (whose buttons they are)."""

    def __call__(self, session: Session, args: str, *, today: date, lang: str, asker: int) -> Reply: ...


def answer_or_usage(
    answer: Callable[..., Reply], session: Session, args: str, today: date, lang: str
) -> Reply:
    """ANSWER's Reply to ARGS, or its usage error as the Reply."""
    try:
        return answer(session, args, today=today, lang=lang)
    except answers.UsageError as exc:
        return Reply(str(exc))


def day_reply(session: Session, args: str, *, today: date, lang: str, asker: int) -> Reply:
    """/day: the newest report; /day DATE: that report. Both with ◀ ▶ for the report before and after
    (a day without a report says so, and its buttons lead to the nearest ones)."""
    if not args:
        return menus.latest_day(session, today, lang, asker)
    shown = answer_or_usage(answers.day, session, args, today, lang)
    asked = shown_day(args, today)
    return menus.with_day_keyboard(session, shown, asked, lang, asker) if asked else shown


def picking(answer: Callable[..., Reply], picker: Callable[[Session, str, int], Reply]) -> CommandReply:
    """A query command that, sent bare (from the menu), offers PICKER's buttons instead of its usage."""

    def answer_or_pick(session: Session, args: str, *, today: date, lang: str, asker: int) -> Reply:
        if not args:
            return picker(session, lang, asker)
        return answer_or_usage(answer, session, args, today, lang)

    answer_or_pick.__name__ = answer.__name__
    return answer_or_pick


def menu_command(command_reply: CommandReply) -> Handler:
    """The handler of a command of the menu: it answers with COMMAND_REPLY, read in one session."""

    async def handle(update: Update, context: BotContext) -> None:
        message = update.effective_message
        if message is None:
            return
        services, lang, asker = context.services, context.lang, asker_of(update)
        args, today = command_args(message), services.today()
        shown = await services.read(lambda s: command_reply(s, args, today=today, lang=lang, asker=asker))
        await reply(update, shown, lang)

    handle.__name__ = f"answer_{getattr(command_reply, '__name__', 'command')}"
    return handle


top_reply = picking(answers.top, lambda _s, lang, asker: menus.category_picker("top", lang, asker))
category_reply = picking(answers.category, lambda _s, lang, asker: menus.category_picker("cat", lang, asker))
range_reply = picking(answers.range_, menus.period_picker)

day_command = menu_command(day_reply)
top_command = menu_command(top_reply)
category_command = menu_command(category_reply)
range_command = menu_command(range_reply)


# ----------------------------------------------------------------------------------------------- presses


async def _show(update: Update, context: BotContext, shown: Reply | None, missing: str) -> None:
    """Edit the pressed message to SHOWN and answer the press; None: nothing to show, say MISSING."""
    query = update.callback_query
    if query is None:
        return
    lang = context.lang
    if shown is None:
        await query.answer(_(lang, missing), show_alert=True)
        return
    try:
        await query.edit_message_text(fit(shown.text, lang), reply_markup=markup(shown.keyboard))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # the same button again: nothing to change
            log.info("menu message not edited: %s", exc)
            await query.answer(_(lang, TOO_OLD), show_alert=True)
            return
    await query.answer()


async def _day(update: Update, context: BotContext, press: Press) -> None:
    services, lang = context.services, context.lang
    day, today = date.fromisoformat(press.argument), services.today()
    shown = await services.read(lambda s: menus.day(s, day, today, lang, press.asker))
    await _show(update, context, shown, REPORT_GONE)


async def _by_category(update: Update, context: BotContext, press: Press) -> None:
    services, lang = context.services, context.lang
    today = services.today()
    shown = await services.read(
        lambda s: menus.by_category(s, press.action, press.argument, today, lang, press.asker)
    )
    await _show(update, context, shown, NO_LONGER_VALID)


async def _range(update: Update, context: BotContext, press: Press) -> None:
    services, lang = context.services, context.lang
    today = services.today()
    shown = await services.read(lambda s: menus.by_period(s, press.argument, today, lang, press.asker))
    await _show(update, context, shown, NO_LONGER_VALID)


async def _language(update: Update, context: BotContext, press: Press) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    if not await may_manage(update, context):
        await query.answer(_(context.lang, ADMINS_ONLY), show_alert=True)
        return
    choice = press.argument
    await context.services.write(lambda s: chats.set_chat_language(s, chat.id, choice))
    context.lang = choice
    await _show(update, context, Reply(_(choice, "Language set to English.")), NO_LONGER_VALID)


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CATEGORY_KEY = re.compile("|".join(c.key for c in CATEGORIES))

#: Every menu button's action, and what its argument must be. The one table: bot/answers/menus.py makes
#: buttons naming these actions only, and a press naming anything else is refused as no longer valid.
ACTIONS: dict[str, MenuAction] = {
    "day": MenuAction(_ISO_DAY, _day),
    "top": MenuAction(_CATEGORY_KEY, _by_category),
    "cat": MenuAction(_CATEGORY_KEY, _by_category),
    "range": MenuAction(re.compile(r"week|30d|all|[0-9]{4}(-[0-9]{2})?"), _range),
    "lang": MenuAction(re.compile(r"en|uk"), _language),
}
_DATA = re.compile(rf"{menus.PREFIX}:([a-z]{{1,16}}):([0-9]{{1,20}}):(.{{0,40}})")


def parse_press(data: str | None) -> Press | None:
    """A menu button's data, or None when it names no known action or a wrong argument."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    action, asker, argument = match[1], int(match[2]), match[3]
    known = ACTIONS.get(action)
    if known is None or known.argument.fullmatch(argument) is None:
        return None
    if action == "day":
        try:
            date.fromisoformat(argument)
        except ValueError:
            return None
    return Press(action, asker, argument)


async def pressed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    lang = context.lang
    press = parse_press(query.data)
    if press is None:
        log.info("unknown menu button %r", query.data)
        await query.answer(_(lang, NO_LONGER_VALID), show_alert=True)
        return
    message = query.message
    if not isinstance(message, Message):  # too old: Telegram no longer gives the message
        await query.answer(_(lang, TOO_OLD), show_alert=True)
        return
    if message.chat.type != Chat.PRIVATE and press.asker not in (0, query.from_user.id):
        await query.answer(_(lang, NOT_YOURS), show_alert=True)
        return
    await ACTIONS[press.action].run(update, context, press)


# ------------------------------------------------------------------------------------------ command menus


def command_menus(commands: Iterable[Command]) -> dict[str, list[Command]]:
    """The commands of each kind of command menu (by who sees it), in the commands' order; /start is in
    none (Telegram's Start button sends it)."""
    listed = [c for c in commands if c.name != "start"]

    def of(*audiences: str) -> list[Command]:
        return [c for c in listed if c.audience in audiences]

    return {
        # Private chats: what anyone can ask, and this chat's subscription and language.
        "private": of(EVERYONE, MANAGERS),
        # Group members: only what they can use there (a group's settings are its administrators').
        "group": of(EVERYONE),
        "group_admins": of(EVERYONE, MANAGERS),
        # A moderator's private chat with the bot: everything.
        "moderator": of(EVERYONE, MANAGERS, MODERATORS),
    }


async def _set_menu(bot: Bot, scope: BotCommandScope, commands: list[Command]) -> bool:
    """One menu in both languages; False when Telegram refused it (a moderator who never opened a chat
    with the bot: "chat not found")."""
    for lang in LANGS:
        listed = [BotCommand(c.name, _(lang, c.description)[:256]) for c in commands]
        try:
            await bot.set_my_commands(listed, scope=scope, language_code=None if lang == "en" else lang)
        except BadRequest as exc:
            log.warning("command menu not registered for %s: %s", scope.to_dict(), exc)
            return False
    return True


async def set_command_menus(bot: Bot, commands: Iterable[Command], moderator_ids: Iterable[int]) -> None:
    """Register the command menus with Telegram, in English (the default) and Ukrainian."""
    menus_ = command_menus(commands)
    await _set_menu(bot, BotCommandScopeDefault(), menus_["private"])
    await _set_menu(bot, BotCommandScopeAllGroupChats(), menus_["group"])
    await _set_menu(bot, BotCommandScopeAllChatAdministrators(), menus_["group_admins"])
    for user_id in sorted(moderator_ids):
        await _set_menu(bot, BotCommandScopeChat(user_id), menus_["moderator"])
    log.info(
        "command menus registered (en, uk): %s",
        ", ".join(f"{kind} {len(listed)}" for kind, listed in menus_.items()),
    )


async def set_moderator_menu(bot: Bot, commands: Iterable[Command], user_id: int) -> None:
    """A moderator's own menu, when they start a chat with the bot: at the bot's start Telegram refuses
    a menu for a chat that does not exist yet."""
    await _set_menu(bot, BotCommandScopeChat(user_id), command_menus(commands)["moderator"])


def register(app: BotApplication) -> None:
    """The presses; the commands are registered by their features (handlers/figures.py, basics.py)."""
    app.add_handler(CallbackQueryHandler(pressed, pattern=f"^{menus.PREFIX}:"))
