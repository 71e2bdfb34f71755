"""What is left over: unknown commands, plain text in private chats, commands in channels, and buttons
nobody handles. Group chatter, and commands in groups not addressed to this bot by name, are ignored."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.answers.reply import Reply
from bot.i18n.catalog import _
from bot.services import BotApplication, BotContext
from handlers.common import NO_LONGER_VALID, reply
from handlers.questions import answer_question


def addressee(text: str) -> str | None:
    """The bot a command names (`/totals@lossbot` → lossbot), None when it names none."""
    word = text.split(maxsplit=1)[0] if text.split() else ""
    return word.partition("@")[2].lower() or None


async def unknown_command(update: Update, context: BotContext) -> None:
    lang = context.lang
    await reply(update, Reply(_(lang, "I don't know that command. See /help.")), lang)


async def group_command(update: Update, context: BotContext) -> None:
    """An unknown command in a group: answered when addressed to this bot (`/foo@lossbot`). A bare
    `/foo` may be another bot's, and `/totals@otherbot` is: both are left alone."""
    message = update.effective_message
    username = (context.bot.username or "").lower()
    if message is not None and username and addressee(message.text or "") == username:
        await unknown_command(update, context)


async def channel_command(update: Update, context: BotContext) -> None:
    """A command posted in a channel other than the subscription ones (handlers/subscriptions.py): a
    channel is for the daily messages, so say where questions are answered instead of answering them to
    every subscriber of the channel."""
    message = update.effective_message
    named = addressee(message.text or "") if message is not None else None
    if named is not None and named != (context.bot.username or "").lower():
        return  # another bot's
    lang = context.lang
    await reply(
        update,
        Reply(
            _(
                lang,
                "In a channel I answer only /subscribe, /unsubscribe and /settings (the daily "
                "messages, their language and time). Ask about the figures in a private chat with me: "
                "@{bot}",
                bot=context.bot.username,
            )
        ),
        lang,
    )


async def private_chatter(update: Update, context: BotContext) -> None:
    """Plain text in a private chat: a question about the figures when it is one, else a pointer."""
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    if await answer_question(update, context, text):
        return
    lang = context.lang
    await reply(
        update,
        Reply(
            _(
                lang,
                "I answer commands — see /help — and simple questions such as “how many tanks "
                "yesterday” or “top days for drones in 2025”. For example: /totals",
            )
        ),
        lang,
    )


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button no handler knows (an old message, altered data): answered, so its spinner stops."""
    query = update.callback_query
    if query is None:
        return
    await query.answer(_(context.lang, NO_LONGER_VALID), show_alert=True)


def register(app: BotApplication) -> None:
    """Register LAST, in the default group: within a group the first matching handler wins, so every
    feature's handlers come before these catch-alls."""
    # Commands new or edited (an edited command is answered as a new one, handlers/common.py); only new
    # plain text, so editing a message is not new chatter.
    commands = filters.UpdateType.MESSAGES & filters.COMMAND
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & commands, unknown_command))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & commands, group_command))
    app.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POSTS & filters.Regex(r"^/[A-Za-z0-9_]"), channel_command)
    )
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            private_chatter,
        )
    )
    app.add_handler(CallbackQueryHandler(unknown_button))
