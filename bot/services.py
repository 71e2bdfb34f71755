"""What handlers share: settings, the database, the clock. Built once by the composition point."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext, Defaults, ExtBot

from bot.config import Settings
from bot.domain.dates import utc_now
from bot.i18n.texts import Command
from storage import chats
from storage.db import reading, transaction

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
        """The chat's language: the one set with /lang, else the user's Telegram language (uk or en)."""
        chat = update.effective_chat
        if chat is not None:
            chosen = await self.read(lambda s: chats.chat_language(s, chat.id))
            if chosen:
                return chosen
        user = update.effective_user
        code = (user.language_code or "") if user else ""
        return "uk" if code.lower().startswith("uk") else "en"


class BotData:
    """The application's typed shared state (PTB's bot_data)."""

    def __init__(self) -> None:
        self._services: Services | None = None
        #: (name, usage, {lang: description}) of every command, for /help and the command menu.
        self.commands: list[Command] = []

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the composition point did not set the services")
        return self._services

    @services.setter
    def services(self, value: Services) -> None:
        self._services = value


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
