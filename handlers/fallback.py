"""What is left over: unknown commands, plain text in private chats, and buttons nobody handles. Group
chatter is ignored."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.answers.reply import Reply
from bot.i18n.catalog import _
from bot.services import BotApplication, BotContext
from handlers.common import reply
from handlers.questions import answer_question


async def unknown_command(update: Update, context: BotContext) -> None:
    lang = context.lang
    await reply(update, Reply(_(lang, "I don't know that command. See /help.")), lang)


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
    lang = await context.services.language(update)
    await query.answer(_(lang, "This button does nothing (any more)."), show_alert=True)


def register(app: BotApplication) -> None:
    """Register LAST, in the default group: within a group the first matching handler wins, so every
    feature's handlers come before these catch-alls."""
    # Only new messages: an edited /totals is not an unknown command, nor edited text new chatter.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, private_chatter))
    app.add_handler(CallbackQueryHandler(unknown_button))
