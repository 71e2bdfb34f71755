"""What is left over: unknown commands, and plain text in private chats. Group chatter is ignored."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.i18n.texts import t
from bot.services import BotApplication, BotContext
from handlers.common import reply


async def unknown_command(update: Update, context: BotContext) -> None:
    lang = await context.services.language(update)
    await reply(update, t(lang, "unknown_command"), lang)


async def private_chatter(update: Update, context: BotContext) -> None:
    lang = await context.services.language(update)
    await reply(update, t(lang, "chatter_private"), lang)


def register(app: BotApplication) -> None:
    """Register LAST, in the default group: within a group the first matching handler wins, so every
    feature's handlers come before these catch-alls."""
    # Only new messages: an edited /totals is not an unknown command, nor edited text new chatter.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, private_chatter))
