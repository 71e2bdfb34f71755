"""What every handler shares, driven through the real bot and the loopback fake Bot API: a Reply becomes
a text, photo or file message with its buttons and the bot's send defaults, and the chat's language is
read once per update."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event
from telegram import Update
from telegram.ext import CommandHandler

from bot.answers.reply import Button, Reply, Upload
from bot.app import build_application
from bot.services import BotApplication, BotContext
from handlers.common import reply
from tests.support.delivery_fixtures import reports, store
from tests.support.fakebotapi import FakeBotAPI
from tests.support.running import settings_for

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)
GROUP = -555
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
KEYBOARD = ((Button("One", "t:1"), Button("Two", "t:2")), (Button("Three", "t:3"),))

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
    """A command of this test only: /show photo|file|buttons|twice answers with that kind of Reply."""
    kind = (context.args or [""])[0]
    answers = {
        "photo": Reply("<b>Chart</b> of 25 Oct", photo=Upload("chart.png", PNG), keyboard=KEYBOARD),
        "file": Reply("Losses <i>CSV</i>", document=Upload("losses.csv", b"a,b\n1,2\n")),
        "buttons": Reply("Pick <b>one</b>", keyboard=KEYBOARD),
        "twice": Reply("Once"),
    }
    await reply(update, answers[kind], context.lang)


async def say_language(update: Update, context: BotContext) -> None:
    """/show twice: a second handler of the same update, in a later group."""
    if context.args == ["twice"]:
        await reply(update, Reply(f"language: {context.lang}"), context.lang)


@pytest.fixture
async def app(fake: FakeBotAPI, engine: Engine) -> AsyncIterator[BotApplication]:
    store(engine, reports())
    settings = settings_for(fake)
    application = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
    # In a group, after the bot's own handlers (the private-chat fallback would answer it first).
    application.add_handler(CommandHandler("show", show), group=1)
    application.add_handler(CommandHandler("show", say_language), group=2)
    async with application:
        yield application
    await application.bot_data.services.read(lambda _s: None)  # the worker thread is idle


async def process(app: BotApplication, raw: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(raw, app.bot))


EXPECTED_MARKUP = {
    "inline_keyboard": [
        [{"text": "One", "callback_data": "t:1"}, {"text": "Two", "callback_data": "t:2"}],
        [{"text": "Three", "callback_data": "t:3"}],
    ]
}


async def test_a_photo_reply_is_a_photo_with_caption_and_buttons(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    await process(app, update(GROUP, "/show photo", chat_type="group"))
    [call] = fake.calls_of("sendPhoto")
    assert call.ok, call.description
    assert call.params["caption"] == "<b>Chart</b> of 25 Oct"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == EXPECTED_MARKUP
    assert "reply_parameters" not in call.params  # not quoted, even in a group
    upload = call.files["photo"]
    assert (upload.filename, upload.data) == ("chart.png", PNG)
    assert fake.calls_of("sendMessage") == []


async def test_a_file_reply_is_a_document_with_caption(app: BotApplication, fake: FakeBotAPI) -> None:
    await process(app, update(GROUP, "/show file", chat_type="group"))
    [call] = fake.calls_of("sendDocument")
    assert call.ok, call.description
    assert (call.files["document"].filename, call.files["document"].data) == ("losses.csv", b"a,b\n1,2\n")
    assert call.params["caption"] == "Losses <i>CSV</i>" and call.params["parse_mode"] == "HTML"


async def test_a_text_reply_with_buttons(app: BotApplication, fake: FakeBotAPI) -> None:
    await process(app, update(GROUP, "/show buttons", chat_type="group"))
    [call] = fake.calls_of("sendMessage")
    assert call.params["text"] == "Pick <b>one</b>"
    assert call.params["reply_markup"] == EXPECTED_MARKUP
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in call.params


# ------------------------------------------------------------------------------------------- language


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


@pytest.mark.usefixtures("engine")
async def test_lang_answers_in_the_new_language_and_later_updates_keep_it(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    await process(app, update(8, "/lang uk"))
    await process(app, update(8, "/day 2024-10-25", language_code="en"))
    first, second = (m["text"] for m in fake.sent_messages(8))
    assert first == "Мову змінено на українську."
    assert "Звіт за 25" in second
