"""Reply helpers every handler module uses, and the chat's language, resolved once per update."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import CommandHandler, filters

from bot.answers.commands import UsageError, fit
from bot.services import BotContext

Answer = Callable[..., str]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def command_args(message: Message) -> str:
    """The text after the command word (works with /cmd@botname and multi-word arguments)."""
    text = message.text or message.caption or ""
    return text.partition(" ")[2].strip() if text.startswith("/") else text.strip()


async def resolve_language(update: Update, context: BotContext) -> None:
    """Before any handler (group -1): read the chat's language once, for every handler of the update."""
    context.lang = await context.services.language(update)


async def reply(update: Update, text: str, lang: str) -> Message | None:
    """HTML, no link previews and no quoting come from the bot's Defaults (bot.services.DEFAULTS)."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(fit(text, lang))


def answering(answer: Answer) -> Handler:
    """A handler that answers a query command with ANSWER(session, args, today=…, lang=…)."""

    async def handle(update: Update, context: BotContext) -> None:
        message = update.effective_message
        if message is None:
            return
        services, lang = context.services, context.lang
        args = command_args(message)
        today: date = services.today()

        def work(session: Session) -> str:
            try:
                return answer(session, args, today=today, lang=lang)
            except UsageError as exc:
                return str(exc)

        await reply(update, await services.read(work), lang)

    handle.__name__ = f"answer_{answer.__name__}"
    return handle


def command(name: str, callback: Handler) -> CommandHandler[BotContext, None]:
    """A command in private chats and groups (with or without @botname).

    Only new messages: editing an old command message does not run it again."""
    return CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE)
