"""The composition point: the one place that builds the bot from settings and registers every handler."""

from __future__ import annotations

import asyncio
import html
import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine
from telegram import Update
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest
from typing_extensions import override

from bot.charts.cache import ChartCache
from bot.config import Settings
from bot.delivery.budget import BudgetLimiter, SendBudget
from bot.delivery.runtime import Delivery
from bot.domain.dates import utc_now
from bot.flood import FloodControl
from bot.i18n.catalog import _
from bot.i18n.texts import COMMANDS
from bot.leader import LeaderJobQueue, Leadership
from bot.logs import redact, secret_parts
from bot.metrics import Metrics
from bot.moderation.morning import MorningFetch
from bot.services import DEFAULTS, BotApplication, BotContext, BotData, Services
from handlers import (
    basics,
    charts,
    fallback,
    fetched,
    figures,
    flood,
    inline,
    menus,
    moderation,
    subscriptions,
)
from handlers.common import resolve_language
from storage.db import make_engine

log = logging.getLogger(__name__)

#: Feature modules, each with `register(app)` and optionally `COMMANDS`; order is registration order.
FEATURES: tuple[Any, ...] = (basics, figures, menus, charts, inline, moderation, subscriptions)


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
    webhook: bool = False,
    flood_clock: Callable[[], float] = time.monotonic,
) -> BotApplication:
    """The bot, ready to run: settings → services → handlers.

    REQUEST replaces the HTTP layer (`lossbot ask` answers without Telegram). WEBHOOK: updates come to
    the HTTP server (`run_webhook`), not from long polling. FLOOD_CLOCK is flood control's (a test
    freezes it to count what is answered)."""
    secret = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not secret:
        raise ValueError("BOT_TOKEN is not set")
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    # One send budget for the bot token: the replies (through the rate limiter) and the broadcast (the
    # Sender) draw from it, replies first (bot/delivery/budget.py).
    budget = SendBudget()
    metrics = Metrics()
    builder = (
        ApplicationBuilder()
        .token(secret)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .context_types(context_types)
        .defaults(DEFAULTS)
        .rate_limiter(BudgetLimiter(budget, metrics))
        # Commands are answered concurrently: a slow query never holds up other chats.
        .concurrent_updates(True)
        # Everything with a lifecycle starts and stops here, with the application (see run_polling).
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        # Each update is timed for /metrics; jobs run only on the leading instance (bot/leader.py).
        .application_class(_TimedApplication)
        .job_queue(LeaderJobQueue())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif not webhook:
        builder = builder.get_updates_request(_PollRequest(lambda: setattr(app.bot_data, "polled", True)))
    if webhook:
        builder = builder.updater(None)
    # The rate limiter's argument type is the Sender's business (PACED); the handlers never pass one.
    app = cast(BotApplication, builder.build())
    services = Services(settings, engine or make_engine(settings.database_url), clock)
    app.bot_data.services = services
    app.bot_data.metrics = metrics
    app.bot_data.leader = Leadership(services.engine)
    if webhook or settings.listen_port is not None:
        from bot.web.server import WebServer  # aiohttp: only a bot that serves HTTP pays its import

        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        app.bot_data.web = WebServer(app, accept_updates=webhook, secret=secret)
    # Built here, started in post_init: only a running bot sends summaries (`lossbot ask` never does).
    app.bot_data.delivery = Delivery(app, budget)
    app.bot_data.morning = MorningFetch(
        app,
        offer=lambda report: fetched.offer_fetched(app, report),
        missing=lambda day, runs: fetched.report_missing(app, day, runs),
        failing=lambda runs: fetched.sources_failing(app, runs),
    )
    app.bot_data.charts = ChartCache()
    app.bot_data.commands = [*COMMANDS]
    flood.register(app, FloodControl(flood_clock))  # group -100: before everything, even the language
    # Group -1 runs before every feature's handlers, once per update: they all read context.lang.
    app.add_handler(TypeHandler(Update, resolve_language), group=-1)
    for feature in FEATURES:
        feature.register(app)
        app.bot_data.commands.extend(getattr(feature, "COMMANDS", ()))
    fallback.register(app)  # last: catch-alls
    app.add_error_handler(_on_error)
    return app


#: How often pending previews older than a day are closed.
EXPIRE_SECONDS = 3600
EXPIRE_JOB = "expire_previews"


async def _post_init(app: BotApplication) -> None:
    """Register the command menu, then start the delivery (sender, periodic job, publish hook)."""
    await menus.set_command_menus(
        app.bot, app.bot_data.commands, app.bot_data.services.settings.moderator_ids
    )
    # Leadership first: the first instance leads before its first job runs; one that takes over later
    # catches up at once.
    app.bot_data.leader.on_lead = app.bot_data.delivery.tick
    await app.bot_data.leader.start()
    app.bot_data.delivery.start()
    if app.job_queue is not None:  # pending previews expire; a tap on one then says so
        app.job_queue.run_repeating(
            moderation.expire_previews, interval=EXPIRE_SECONDS, first=1, name=EXPIRE_JOB
        )
    app.bot_data.morning.start()  # the catch-up at once, then the morning polls (when SOURCES is set)
    if app.bot_data.web is not None:
        await app.bot_data.web.start()


async def _post_stop(app: BotApplication) -> None:
    """After Application.stop(): no update, job or task is running any more, so the sender can stop."""
    if app.bot_data.web is not None:
        await app.bot_data.web.stop()
    await app.bot_data.morning.stop()
    await app.bot_data.delivery.stop()
    await app.bot_data.leader.stop()  # last: the next leader starts once this one sends nothing more


async def _post_shutdown(app: BotApplication) -> None:
    app.bot_data.services.engine.dispose()


#: How much of an exception's message the operator is told (the log has all of it).
ERROR_TEXT_LIMIT = 500


async def _on_error(update: object, context: BotContext) -> None:
    """Log the error with its traceback, tell the user who was being answered, and the operator chat."""
    if isinstance(context.error, Conflict) and update is None and context.job is None:
        _polling_conflict(context, context.error)
        return
    what = _what_failed(update, context)
    log.error("error while handling %s", what, exc_info=context.error)
    if isinstance(update, Update):
        await _tell_user(update, context)
    if update is None and context.job is None and context.coroutine is None:
        # Polling errors: PTB retries them itself, and while Telegram is unreachable they come every few
        # seconds; the log has them.
        return
    await _tell_operator(what, context)


async def _tell_user(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    try:
        lang = await context.services.language(update)
    except Exception:  # the error may be the database itself: still answer, in English
        lang = "en"
    try:
        await message.reply_text(
            _(lang, "Sorry, something went wrong on my side. Please try again in a minute.")
        )
    except TelegramError:
        log.warning("could not tell the user about the error")


async def _tell_operator(what: str, context: BotContext) -> None:
    """A short note to ERROR_CHAT_ID, if set: what failed and the exception (never the token or the
    traceback, which is in the log)."""
    chat_id, error = context.services.settings.error_chat_id, context.error
    if chat_id is None or error is None:
        return
    detail = _redact(f"{type(error).__name__}: {error}", context.bot.token)
    if len(detail) > ERROR_TEXT_LIMIT:
        detail = detail[:ERROR_TEXT_LIMIT] + "…"
    text = f"⚠️ Error while handling {html.escape(what)}\n<code>{html.escape(detail)}</code>"
    try:
        await context.bot.send_message(chat_id, text)  # HTML, no link previews: the bot's Defaults
    except TelegramError as exc:
        log.warning("could not tell the error chat %s about the error: %s", chat_id, exc)


def _what_failed(update: object, context: BotContext) -> str:
    """What the bot was doing, in a few words: the update's kind, command and chat; or the job or task."""
    if isinstance(update, Update):
        kind = next((str(k) for k in Update.ALL_TYPES if getattr(update, str(k), None) is not None), "update")
        message, query, chat = update.effective_message, update.callback_query, update.effective_chat
        if message is not None and message.text and message.text.startswith("/"):
            kind += " " + message.text.split(maxsplit=1)[0][:64]
        elif query is not None and query.data:
            kind += " " + query.data[:64]
        return f"{kind} in chat {chat.id}" if chat is not None else kind
    if context.job is not None:
        return f"job {context.job.name}"
    if context.coroutine is not None:
        return f"background task {getattr(context.coroutine, '__qualname__', context.coroutine)}"
    return "getting updates"


def _redact(text: str, token: str) -> str:
    """TEXT without the token, nor its secret half alone (an error about a request can hold its URL)."""
    return redact(text, secret_parts([token]), "<token>")


class _PollRequest(HTTPXRequest):
    """getUpdates' connection (PTB's default, one connection), noting the first answer Telegram gives."""

    def __init__(self, answered: Callable[[], None]) -> None:
        super().__init__(connection_pool_size=1)
        self._answered = answered

    @override
    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status == 200:
            self._answered()
        return status, payload


def _polling_conflict(context: BotContext, error: Conflict) -> None:
    """Telegram answered getUpdates with 409: another process polls with this token.

    Telegram ends the older of two polls with 409, so the first poller hears it first; it keeps polling,
    and its next poll ends the newcomer's. An instance that has not had one poll answered yet is that
    newcomer: it stops, and `lossbot run` says why."""
    app = context.application
    if not app.bot_data.polled:
        log.error("Telegram answered 409 Conflict: another instance gets updates with this token; stopping")
        app.bot_data.fatal = error
        app.stop_running()
    else:
        log.warning(
            "Telegram answered 409 Conflict: another instance started getting updates with this token"
        )


class _TimedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """The application, timing each update for the command latency histogram (bot/metrics.py)."""

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            names = (command.name for command in self.bot_data.commands)
            self.bot_data.metrics.command_took(update, names, time.perf_counter() - started)


def run_webhook(app: BotApplication) -> None:
    """`lossbot run --webhook`: serve until SIGINT or SIGTERM, in the order `run_polling` keeps."""
    asyncio.run(_serve_webhook(app))


async def _serve_webhook(app: BotApplication) -> None:
    settings = app.bot_data.services.settings
    assert settings.webhook_url is not None and settings.webhook_secret is not None  # the CLI checked
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        async with app:  # initialize (getMe: a refused token raises here) … shutdown
            await _post_init(app)
            try:
                await app.bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret.get_secret_value(),
                    allowed_updates=Update.ALL_TYPES,
                )
                await app.start()
                log.info("getting updates through the webhook at %s", settings.webhook_url)
                await stopping.wait()
            finally:
                if app.running:
                    await app.stop()
                await _post_stop(app)
    finally:
        await _post_shutdown(app)
