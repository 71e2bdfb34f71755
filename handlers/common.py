"""Reply helpers every handler module uses, and the chat's language, resolved once per update."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler, filters

from bot.answers.commands import UsageError
from bot.answers.render import MAX_CAPTION, fit
from bot.answers.reply import Keyboard, Reply
from bot.i18n.catalog import N_
from bot.services import BotContext

Answer = Callable[..., Reply]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

#: What a press on a button no handler knows (any more) answers.
NO_LONGER_VALID = N_("This button is no longer valid. Send the command again.")


def command_args(message: Message) -> str:
    """The text after the command word (works with /cmd@botname and multi-word arguments)."""
    text = message.text or message.caption or ""
    return text.partition(" ")[2].strip() if text.startswith("/") else text.strip()


async def resolve_language(update: Update, context: BotContext) -> None:
    """Before any handler (group -1): read the chat's language once, for every handler of the update."""
    context.lang = await context.services.language(update)


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """A Reply's buttons as Telegram's inline keyboard (None: no keyboard)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.callback_data) for b in row] for row in keyboard]
    )


async def reply(update: Update, answer: Reply, lang: str) -> Message | None:
    """Send ANSWER into the update's chat: a text message, or its photo or file with the text as caption.

    HTML, no link previews and no quoting come from the bot's Defaults (bot.services.DEFAULTS)."""
    message = update.effective_message
    if message is None:
        return None
    buttons = markup(answer.keyboard)
    caption = fit(answer.text, lang, MAX_CAPTION) or None  # a caption holds a quarter of a message
    if answer.photo is not None:
        photo = answer.photo
        return await message.reply_photo(
            photo.content, filename=photo.filename, caption=caption, reply_markup=buttons
        )
    if answer.document is not None:
        document = answer.document
        return await message.reply_document(
            document.content, filename=document.filename, caption=caption, reply_markup=buttons
        )
    return await message.reply_text(fit(answer.text, lang), reply_markup=buttons)


def answering(answer: Answer) -> Handler:
    """A handler that answers a query command with ANSWER(session, args, today=…, lang=…)."""

    async def handle(update: Update, context: BotContext) -> None:
        message = update.effective_message
        if message is None:
            return
        services, lang = context.services, context.lang
        args = command_args(message)
        today: date = services.today()

        def work(session: Session) -> Reply:
            try:
                return answer(session, args, today=today, lang=lang)
            except UsageError as exc:
                return Reply(str(exc))

        await reply(update, await services.read(work), lang)

    handle.__name__ = f"answer_{answer.__name__}"
    return handle


def command(name: str, callback: Handler) -> CommandHandler[BotContext, None]:
    """A command in private chats and groups (with or without @botname).

    An edited command is answered as a new one (a new message: the old answer stays), so fixing a typo
    in `/day 2024-10-2` gets the answer the fixed command asks for."""
    return CommandHandler(name, callback, filters=filters.UpdateType.MESSAGES)
