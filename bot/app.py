"""The composition point: the one place that builds the bot from settings and registers every handler."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.config import Settings
from bot.domain.dates import utc_now
from bot.i18n.catalog import LANGS, _
from bot.i18n.texts import COMMANDS
from bot.services import DEFAULTS, BotApplication, BotContext, BotData, Services
from handlers import basics, fallback, figures, moderation, subscriptions
from handlers.common import resolve_language
from storage.db import make_engine

log = logging.getLogger(__name__)

#: Feature modules, each with `register(app)` and optionally `COMMANDS`; order is registration order.
FEATURES: tuple[Any, ...] = (basics, figures, moderation, subscriptions)


def file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>; derive it from the API base URL."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("bot") else base_url


def build_application(
    settings: Settings,
    *,
    engine: Engine | None = None,
    request: BaseRequest | None = None,
    clock: Callable[[], datetime] = utc_now,
    token: str | None = None,
) -> BotApplication:
    """The bot, ready to run: settings → services → handlers.

    REQUEST replaces the HTTP layer (`lossbot ask` answers without Telegram)."""
    secret = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not secret:
        raise ValueError("BOT_TOKEN is not set")
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(secret)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .context_types(context_types)
        .defaults(DEFAULTS)
        # Commands are answered concurrently: a slow query never holds up other chats.
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: BotApplication = builder.build()
    services = Services(settings, engine or make_engine(settings.database_url), clock)
    app.bot_data.services = services
    app.bot_data.commands = [*COMMANDS]
    # Group -1 runs before every feature's handlers, once per update: they all read context.lang.
    app.add_handler(TypeHandler(Update, resolve_language), group=-1)
    for feature in FEATURES:
        feature.register(app)
        app.bot_data.commands.extend(getattr(feature, "COMMANDS", ()))
    fallback.register(app)  # last: catch-alls
    app.add_error_handler(_on_error)
    return app


async def _post_init(app: BotApplication) -> None:
    """Register the command menu in English (the default) and Ukrainian."""
    for lang in LANGS:
        commands = [
            BotCommand(command.name, _(lang, command.description)[:256])
            for command in app.bot_data.commands
            if command.name != "start"
        ]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
    log.info("command menu registered (en, uk); %d commands", len(app.bot_data.commands) - 1)


async def _post_shutdown(app: BotApplication) -> None:
    app.bot_data.services.engine.dispose()


async def _on_error(update: object, context: BotContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        lang = "en"
        try:
            lang = await context.services.language(update)
            await update.effective_message.reply_text(
                _(lang, "Sorry, something went wrong on my side. Please try again in a minute.")
            )
        except TelegramError:
            log.warning("could not tell the user about the error")
