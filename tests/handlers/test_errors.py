"""The error handler, driven in-process against the loopback fake Bot API: the user hears that something
went wrong, the operator chat (ERROR_CHAT_ID) gets a short escaped note without the token or a
traceback, and a failure to reach the operator chat is only a warning."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel
from telegram import Update
from telegram.ext import CommandHandler

from bot.app import ERROR_TEXT_LIMIT, build_application
from bot.config import Settings
from bot.services import BotApplication, BotContext
from tests.handlers.test_bot_inprocess import message_update
from tests.support import databases
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import FakeBotAPI, visible_text
from tests.support.running import settings_for

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)
ERROR_CHAT = -1009001
USER = 701
GROUP = -4242  # /boom is sent here: groups get no "unknown command" reply besides the error's
SORRY = "Sorry, something went wrong on my side."


@pytest.fixture
def fake(fake: FakeBotAPI) -> FakeBotAPI:
    """The shared fake Bot API, with the operators' chat the errors go to."""
    fake.add_chat(ERROR_CHAT, "supergroup", title="lossbot operators")
    return fake


async def boom(_update: Update, context: BotContext) -> None:
    """A test-only command that fails with markup, the bot's token and a long tail in its message."""
    raise RuntimeError(f"<b>{context.bot.token}</b> & " + "x" * 2 * ERROR_TEXT_LIMIT)


def build(fake: FakeBotAPI, engine: Engine, **settings: Any) -> BotApplication:
    config = settings_for(fake, **settings)
    app = build_application(config, engine=engine, clock=lambda: NOW, token=fake.token)
    # Before every group of the bot's (group -1 resolves the language, group 0 ends in the catch-alls).
    app.add_handler(CommandHandler("boom", boom), group=-2)
    return app


@pytest.fixture
async def app(fake: FakeBotAPI, engine: Engine) -> AsyncIterator[BotApplication]:
    store_reports(engine, reports())
    application = build(fake, engine, error_chat_id=ERROR_CHAT)
    async with application:
        yield application


async def send(app: BotApplication, text: str) -> None:
    await app.process_update(Update.de_json(message_update(USER, text), app.bot))


async def boom_in_group(app: BotApplication, fake: FakeBotAPI) -> None:
    """/boom written in a group the fake knows (the error reply quotes it there), handled in-process."""
    fake.inject_message(GROUP, "/boom", chat_type="group")
    update = fake.pending_updates[-1]
    await app.process_update(Update.de_json(update, app.bot))


def notes(fake: FakeBotAPI) -> list[str]:
    """The operator chat's messages as the operators read them."""
    return [visible_text(m["text"], "HTML") for m in fake.sent_messages(ERROR_CHAT)]


async def test_a_broken_database_tells_the_user_and_the_operator(
    app: BotApplication, fake: FakeBotAPI, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    SQLModel.metadata.drop_all(engine)  # every query fails, the chat's language too
    await send(app, "/totals")
    [reply] = fake.sent_messages(USER)
    assert SORRY in reply["text"]  # in English: the chat's language could not be read
    [note] = notes(fake)
    error, words = databases.MISSING_TABLE
    assert note.startswith(f"⚠️ Error while handling message /totals in chat {USER}\n{error}: ")
    assert words in note
    assert "Traceback" not in note
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None  # the traceback goes to the log


async def test_the_operator_note_is_escaped_short_and_without_the_token(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    await boom_in_group(app, fake)
    assert SORRY in fake.sent_messages(GROUP)[0]["text"]
    [raw] = [m["text"] for m in fake.sent_messages(ERROR_CHAT)]
    assert "<code>RuntimeError: &lt;b&gt;&lt;token&gt;&lt;/b&gt; &amp; xxx" in raw
    secret = fake.token.split(":")[1]
    assert secret not in raw and fake.token not in raw
    [note] = notes(fake)
    heading = f"⚠️ Error while handling message /boom in chat {GROUP}"
    assert note.startswith(f"{heading}\nRuntimeError: <b><token></b> &")
    assert note.endswith("x…") and len(note) < ERROR_TEXT_LIMIT + 100


async def test_an_unreachable_operator_chat_is_a_warning(
    app: BotApplication, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.set_chat_fault(ERROR_CHAT, "chat_not_found")
    await boom_in_group(app, fake)
    assert SORRY in fake.sent_messages(GROUP)[0]["text"]
    assert notes(fake) == []
    assert any(
        r.levelno == logging.WARNING and f"could not tell the error chat {ERROR_CHAT}" in r.getMessage()
        for r in caplog.records
    )
    await send(app, "/totals")  # and the bot goes on
    assert "Personnel" in fake.sent_messages(USER)[-1]["text"]


async def test_without_an_error_chat_only_the_user_is_told(fake: FakeBotAPI, engine: Engine) -> None:
    application = build(fake, engine)
    async with application:
        await boom_in_group(application, fake)
    assert [c.chat_id for c in fake.calls_of("sendMessage")] == [GROUP]
    assert SORRY in fake.sent_messages(GROUP)[0]["text"]


def test_error_chat_id_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERROR_CHAT_ID", "-1009001")
    assert Settings(_env_file=None).error_chat_id == ERROR_CHAT
    monkeypatch.setenv("ERROR_CHAT_ID", "")  # as copied from .env.example: not set
    assert Settings(_env_file=None).error_chat_id is None
