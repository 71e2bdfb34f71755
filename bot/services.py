"""What handlers share: settings, the database, the clock. Built once by the composition point."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, Defaults, ExtBot

from bot.charts.cache import ChartCache
from bot.config import Settings
from bot.domain.dates import utc_now
from bot.i18n.texts import Command
from bot.leader import Leadership
from bot.metrics import Metrics
from storage import chats
from storage.db import reading, transaction

if TYPE_CHECKING:  # aiohttp is imported only by a bot that serves HTTP (start-up time)
    from bot.web.server import WebServer

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How every message is sent unless a call says otherwise: HTML, without link previews (answers link
#: their sources), without quoting the command. The running bot and `lossbot summary --send` use these.
DEFAULTS = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True), do_quote=False
)

#: Called when a report was published or corrected: (report date, is_correction).
PublishHook = Callable[[date, bool], Awaitable[None]]


@dataclass
class Services:
    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = field(default=utc_now)
    #: What publishing a report sets off (the daily summary and alerts register here).
    publish_hooks: list[PublishHook] = field(default_factory=list)

    async def report_published(self, report_date: date, *, correction: bool) -> None:
        """Hand a newly stored or corrected report to everything that publishes it."""
        for hook in self.publish_hooks:
            await hook(report_date, correction)

    def now(self) -> datetime:
        """The current time in the configured zone."""
        return self.clock().astimezone(self.settings.zone)

    def today(self) -> date:
        return self.now().date()

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run WORK with a read session in a worker thread, so the event loop keeps serving others."""

        def run() -> T:
            with reading(self.engine) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run WORK in one transaction in a worker thread: all of it is stored, or none."""

        def run() -> T:
            with transaction(self.engine) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def language(self, update: Update) -> str:
        """The chat's language: the one set with /lang, else the user's Telegram language (uk or en).

        If the database cannot be read, the user's language: the handler that needs the database meets
        the same error and reports it once; a language is never the reason a user gets no answer."""
        chat = update.effective_chat
        if chat is not None:
            try:
                chosen = await self.read(lambda s: chats.chat_language(s, chat.id))
            except SQLAlchemyError as exc:
                log.warning(
                    "the chat's language could not be read (%s); using the user's", type(exc).__name__
                )
                chosen = None
            if chosen:
                return chosen
        user = update.effective_user
        code = (user.language_code or "") if user else ""
        return "uk" if code.lower().startswith("uk") else "en"


class Runtime(Protocol):
    """Something that runs while the bot runs: started in post_init, stopped in post_stop. The composition
    point builds the concrete ones (bot/delivery/runtime.py, bot/moderation/morning.py); naming only this
    here keeps the shared state below the features that use it."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


class DeliveryRuntime(Runtime, Protocol):
    async def tick(self) -> int:
        """Queue what is due now and wake the sender; how many messages were queued."""
        ...


class FetchRuntime(Runtime, Protocol):
    async def poll(self) -> list[Any]:
        """One poll of the live sources (the catch-up first); what each source gave."""
        ...


class _SetOnce(Generic[T]):
    """An attribute the composition point sets while building the bot; reading it before is a bug."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = "_" + name

    def __get__(self, instance: object, owner: type | None = None) -> T:
        value: T | None = getattr(instance, self._name, None)
        if value is None:
            raise RuntimeError(f"the composition point did not set {self._name[1:]}")
        return value

    def __set__(self, instance: object, value: T) -> None:
        setattr(instance, self._name, value)


class BotData:
    """The application's typed shared state (PTB's bot_data), set by the composition point."""

    services: _SetOnce[Services] = _SetOnce()
    #: The summaries and alerts at run time (started and stopped with the application).
    delivery: _SetOnce[DeliveryRuntime] = _SetOnce()
    #: The live sources' catch-up and morning polls (started and stopped with the application).
    morning: _SetOnce[FetchRuntime] = _SetOnce()
    #: Charts drawn and uploaded (/chart, its buttons, inline answers).
    charts: _SetOnce[ChartCache] = _SetOnce()

    #: The operator's metrics (bot/metrics.py), served at /metrics.
    metrics: _SetOnce[Metrics] = _SetOnce()
    #: Whether this instance runs the scheduled jobs and sends the outbox (bot/leader.py).
    leader: _SetOnce[Leadership] = _SetOnce()

    def __init__(self) -> None:
        #: Every command, for /help and the command menu.
        self.commands: list[Command] = []
        #: The HTTP server (webhook, /healthz, /metrics), when it runs (started and stopped with the app).
        self.web: WebServer | None = None
        #: Why the bot stopped itself, for `lossbot run` to say (a second poller: Telegram's 409 Conflict).
        self.fatal: TelegramError | None = None
        #: Whether Telegram has answered a poll of this instance: a 409 before means it is the second poller.
        self.polled = False


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    #: PTB builds one context per update and hands it to every handler of that update.
    _lang: str | None = None

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def lang(self) -> str:
        """The chat's language, read once per update before the handlers run (handlers.common
        .resolve_language); /lang and the settings buttons set it anew for the rest of the update."""
        if self._lang is None:
            raise RuntimeError("the chat's language is resolved by a handler in group -1 (bot/app.py)")
        return self._lang

    @lang.setter
    def lang(self, value: str) -> None:
        self._lang = value


BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
