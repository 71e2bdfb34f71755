"""What every handler shares, driven through the real bot and the loopback fake Bot API: the chat's
language is read once per update."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event
from telegram import Update
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.config import Settings
from bot.services import BotApplication, BotContext
from handlers.common import reply
from tests.support.delivery_fixtures import reports, store
from tests.support.fakebotapi import FakeBotAPI

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)
GROUP = -555

_ids = itertools.count(1)


def update(
    chat_id: int, text: str, *, chat_type: str = "private", language_code: str = "en"
) -> dict[str, Any]:
    word = text.split(maxsplit=1)[0]
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": "Losses chat"}
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": 77, "is_bot": False, "first_name": "Olena", "language_code": language_code},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(word)}],
        },
    }


async def show(update: Update, context: BotContext) -> None:
    """A command of this test only."""
    await reply(update, "Once", context.lang)


async def say_language(update: Update, context: BotContext) -> None:
    """A second handler of the same update, in a later group."""
    await reply(update, f"language: {context.lang}", context.lang)


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def app(fake: FakeBotAPI, engine: Engine) -> AsyncIterator[BotApplication]:
    store(engine, reports())
    settings = Settings(_env_file=None, telegram_api_base_url=fake.base_url)
    application = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
    # In a group, after the bot's own handlers (the private-chat fallback would answer it first).
    application.add_handler(CommandHandler("show", show), group=1)
    application.add_handler(CommandHandler("show", say_language), group=2)
    async with application:
        yield application
    await application.bot_data.services.read(lambda _s: None)  # the worker thread is idle


async def process(app: BotApplication, raw: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(raw, app.bot))


def language_reads(engine: Engine) -> list[str]:
    """The statements that read a chat's language, recorded from now on."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "chat_prefs" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


async def test_the_chats_language_is_read_once_per_update(
    app: BotApplication, fake: FakeBotAPI, engine: Engine
) -> None:
    reads = language_reads(engine)
    await process(app, update(7, "/day 2024-10-25"))
    assert len(reads) == 1
    await process(app, update(GROUP, "/show twice", chat_type="group", language_code="uk"))
    assert len(reads) == 2  # two handlers answered that update: one read for both
    assert [m["text"] for m in fake.sent_messages(GROUP)] == ["Once", "language: uk"]


async def test_lang_answers_in_the_new_language_and_later_updates_keep_it(
    app: BotApplication, fake: FakeBotAPI, engine: Engine
) -> None:
    await process(app, update(8, "/lang uk"))
    await process(app, update(8, "/day 2024-10-25", language_code="en"))
    first, second = (m["text"] for m in fake.sent_messages(8))
    assert first == "Мову змінено на українську."
    assert "Звіт за 25" in second
