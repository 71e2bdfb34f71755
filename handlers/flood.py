"""Flood control before every other handler (group -100): an update over its user's (or group's) limit is
answered with one polite "slow down", then not at all for a while (bot/flood.py); a button press is always
answered, so its spinner stops. Counted: commands anywhere, anything in a private chat, button presses.
Not counted: group chatter (the bot ignores it), channel posts, membership updates, and moderators, who
paste reports in several messages."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.flood import FloodControl, Verdict
from bot.i18n.catalog import _
from bot.services import BotApplication, BotContext

log = logging.getLogger(__name__)

#: Before the language (group -1) and anything else: a dropped update costs no database read. (Within a
#: group only the first matching handler runs, so this group holds this handler alone.)
GROUP = -100


def counted(update: Update) -> tuple[int, int | None] | None:
    """(user, group or None) for an update flood control counts; None for the others."""
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    group = chat.id if chat is not None and chat.type != ChatType.PRIVATE else None
    if update.callback_query is not None:
        return user.id, group
    message = update.message  # new messages only: an edit is answered by nobody
    if message is None:
        return None
    text = message.text or message.caption or ""
    if group is None or text.startswith("/"):
        return user.id, group
    return None


def slow_down(lang: str, group: bool) -> str:
    """What a user (or, GROUP, a group) over its limit is told, once."""
    if group:
        return _(
            lang,
            "This chat is sending me commands faster than Telegram lets me answer here. "
            "Please wait a few seconds.",
        )
    return _(lang, "You are sending commands faster than I can answer. Please wait a few seconds.")


def gate(flood: FloodControl) -> TypeHandler[Update, BotContext, None]:
    async def check(update: Update, context: BotContext) -> None:
        who = counted(update)
        if who is None or who[0] in context.services.settings.moderator_ids:
            return
        verdict = flood.check(*who)
        if verdict is Verdict.ANSWER:
            return
        query, message = update.callback_query, update.effective_message
        warn = verdict in (Verdict.WARN, Verdict.WARN_GROUP)
        if warn or query is not None:
            lang = await context.services.language(update)
            text = slow_down(lang, verdict is Verdict.WARN_GROUP)
            try:
                if query is not None:
                    await query.answer(text)
                elif message is not None:
                    await message.reply_text(text)
            except TelegramError as exc:
                log.warning("could not tell a flooding user to slow down: %s", exc)
        if warn:
            log.info("flood control: user %s (chat %s) is told to slow down", *who)
        raise ApplicationHandlerStop

    return TypeHandler(Update, check)


def register(app: BotApplication, flood: FloodControl) -> None:
    app.add_handler(gate(flood), group=GROUP)
