"""The bot's handlers driven in-process: updates shaped like Telegram's go through
`Application.process_update`, the bot talks HTTP to the loopback fake Bot API, the store is a copy of the
full real history. `process_update` returns once the handlers are done, so "no reply" is a plain check."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from bot.app import build_application
from bot.services import BotApplication
from tests.support.fakebotapi import FakeBotAPI
from tests.support.replies import plain
from tests.support.running import in_process, settings_for

NOW = datetime(2026, 8, 23, 9, 0, tzinfo=UTC)
NBSP = "\u00a0"
ERROR_WORDS = ("Sorry, something went wrong", "Вибачте, у мене сталася помилка")
OVERLONG = "x" * 10_000

_ids = itertools.count(1)


@pytest.fixture
async def app(fake: FakeBotAPI, history_copy: str) -> AsyncIterator[BotApplication]:
    settings = settings_for(fake, database_url=history_copy, timezone="Europe/Kyiv")
    async with in_process(build_application(settings, clock=lambda: NOW, token=fake.token)) as application:
        yield application


def message_update(
    chat_id: int,
    text: str,
    *,
    chat_type: str = "private",
    user_id: int | None = None,
    language_code: str = "en",
) -> dict[str, Any]:
    """An update as Telegram delivers a new text message (with the bot_command entity it marks)."""
    user_id = user_id if user_id is not None else (chat_id if chat_type == "private" else 777)
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = "Olena"
    else:
        chat["title"] = "Losses chat"
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Olena", "language_code": language_code},
        "text": text,
    }
    if text.startswith("/"):
        word = text.split(maxsplit=1)[0] if text.split() else text
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(word.encode("utf-16-le")) // 2}
        ]
    return {"update_id": next(_ids), "message": message}


async def send(app: BotApplication, fake: FakeBotAPI, chat_id: int, text: str, **kwargs: Any) -> list[str]:
    """What the user reads in the chat after sending TEXT: the bot's new messages, as plain text."""
    before = len(fake.sent_messages(chat_id))
    await app.process_update(Update.de_json(message_update(chat_id, text, **kwargs), app.bot))
    replies = [plain(m["text"]) for m in fake.sent_messages(chat_id)[before:]]
    for reply in replies:
        assert not any(words in reply for words in ERROR_WORDS), reply
    assert all(c.status == 200 for c in fake.calls_of("sendMessage")), [
        c.description for c in fake.calls_of("sendMessage") if c.status != 200
    ]
    return replies


async def one_reply(app: BotApplication, fake: FakeBotAPI, chat_id: int, text: str, **kwargs: Any) -> str:
    replies = await send(app, fake, chat_id, text, **kwargs)
    assert len(replies) == 1, replies
    return replies[0]


# -------------------------------------------------------------------------------- the figures


async def test_day_2024_10_25(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 101, "/day 2024-10-25")
    assert "Personnel: +1,630 → 685,910" in text
    assert "the 4th-highest day at the time" in text


async def test_range_of_five_days(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 102, "/range 2024-10-21..2024-10-25")
    for line in ("Personnel: 7,390", "Artillery systems: 188", "UAVs: 383", "Armoured combat vehicles: 176"):
        assert line in text


async def test_totals_of_a_date(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 103, "/totals 2025-08-22")
    for line in ("Personnel: 1,074,320", "Tanks: 11,124", "vehicles: 23,160", "Artillery systems: 31,835"):
        assert line in text
    assert "UAVs: 52,787" in text


async def test_top_three_days(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 104, "/top personnel 3 2022-04-01..2024-10-25")
    assert "1. 13 May 2024 — +1,740\n2. 21 Oct 2024 — +1,710\n3. 25 Oct 2024 — +1,630" in text


async def test_replies_are_html_without_link_previews(app: BotApplication, fake: FakeBotAPI) -> None:
    await one_reply(app, fake, 105, "/totals")
    call = fake.calls_of("sendMessage")[-1]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}


# ------------------------------------------------------------------------------------------- languages


async def test_a_ukrainian_user_reads_ukrainian(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 201, "/day 2024-10-25", language_code="uk")
    assert "Звіт за 25" in text
    assert f"+1{NBSP}630" in text and f"685{NBSP}910" in text


async def test_lang_uk_switches_the_chat_to_ukrainian(app: BotApplication, fake: FakeBotAPI) -> None:
    assert await one_reply(app, fake, 202, "/lang uk") == "Мову змінено на українську."
    text = await one_reply(app, fake, 202, "/day 2024-10-25", language_code="en")
    assert f"+1{NBSP}630" in text and "Звіт за" in text
    assert "Personnel" not in text
    # Only that chat: another English user's chat stays English.
    assert "Personnel: +1,630" in await one_reply(app, fake, 203, "/day 2024-10-25")
    assert await one_reply(app, fake, 202, "/lang en") == "Language set to English."
    assert "Personnel: +1,630" in await one_reply(app, fake, 202, "/day 2024-10-25", language_code="uk")


async def test_usage_in_ukrainian(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 204, "/day tanks", language_code="uk")
    assert "Використання: /day [ДАТА]" in text


async def test_menu_commands_in_both_languages(app: BotApplication, fake: FakeBotAPI) -> None:
    assert app.post_init is not None
    await app.post_init(app)
    english = {c["command"]: c["description"] for c in fake.commands()}
    ukrainian = {c["command"]: c["description"] for c in fake.commands(language_code="uk")}
    assert {"totals", "day", "range", "top", "category", "records", "lang", "help"} <= set(english)
    assert english.keys() == ukrainian.keys()
    assert english["top"] == "the N days with the highest losses"
    assert ukrainian["top"] == "N днів із найбільшими втратами"


# ----------------------------------------------------------------------------------------------- groups

GROUP = -4242


async def test_a_command_addressed_to_this_bot_works_in_a_group(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    text = await one_reply(app, fake, GROUP, f"/totals@{fake.bot_username} 2025-08-22", chat_type="group")
    assert "Personnel: 1,074,320" in text
    text = await one_reply(app, fake, GROUP - 1, "/day 2024-10-25", chat_type="supergroup")
    assert "Personnel: +1,630" in text


async def test_group_chatter_and_other_bots_commands_get_no_reply(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    for text in ("what were the losses today?", "/totals@otherbot", "/day@otherbot 2024-10-25", "/nonsense"):
        assert await send(app, fake, GROUP, text, chat_type="group") == []
    assert fake.calls_of("sendMessage") == []


async def test_private_chatter_and_unknown_commands_are_pointed_to_help(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    assert "I answer commands — see /help" in await one_reply(app, fake, 301, "hello")
    assert "I don't know that command. See /help." in await one_reply(app, fake, 301, "/nonsense 1 2")


async def test_a_question_in_a_private_chat_is_answered(app: BotApplication, fake: FakeBotAPI) -> None:
    text = await one_reply(app, fake, 302, "How many tanks yesterday?")
    assert text.startswith("🛡 Tanks on 22 Aug 2026: +6, 12,292 in all · source: orc-losses dataset")
    assert text.endswith("💬 Asked as: /category tanks yesterday")
    text = await one_reply(app, fake, 303, "скільки танків за тиждень", language_code="uk")
    assert "останні 7 днів: 23 (≈3,3/добу, 7 звітів)" in text
    assert text.endswith("💬 Як команда: /category tanks за тиждень")
    text = await one_reply(app, fake, 304, "top days", language_code="uk")
    assert text.startswith("Не зовсім зрозуміло, про що ви питаєте.")
    assert "Відповісти може ця команда: /top personnel 10" in text


# -------------------------------------------------------------------------------------------- bad input

FUTURE = "1 Jan 2030 is in the future: the latest report is of 22 Aug 2026"
BEFORE_WAR = "before the full-scale invasion (24 Feb 2022)"
TOO_LONG = "That is too long for a command argument."

# (message, words the reply must hold)
BAD_INPUT = [
    ("/totals !!@#$", "I can't read the date “!!@#$”"),
    ("/totals tanks", "I can't read the date “tanks”"),
    ("/totals 2030-01-01", FUTURE),
    ("/totals 2021-06-01", BEFORE_WAR),
    (f"/totals {OVERLONG}", TOO_LONG),
    ("/day tanks", "I can't read the date “tanks”"),
    ("/day <script>", "I can't read the date “<script>”"),
    ("/day 2024-13-45", "“2024-13-45” is not a date: there is no month 13."),
    ("/day 2024-02-30", "“2024-02-30” is not a date: February 2024 has 29 days."),
    ("/day 2030-01-01", FUTURE),
    ("/day 2022-02-23", BEFORE_WAR),
    (f"/day {OVERLONG}", TOO_LONG),
    ("/range 2024-13-45", "“2024-13-45” is not a date: there is no month 13."),
    ("/range personnel", "I can't read the period “personnel”"),
    ("/range 2024-10-25..2024-10-21", "it ends before it starts"),
    ("/range 2021-01-01..2021-02-01", BEFORE_WAR),
    ("/range 2030-01-01..2030-02-01", "in the future"),
    (f"/range {OVERLONG}", TOO_LONG),
    ("/top personnel abc", "I can't read the period “abc”"),
    ("/top 5 personnel", "I don't know the category “5”"),
    ("/top personnel -3", "N must be a whole number from 1 to 50"),
    ("/top personnel 100000000000000000000", "N must be a whole number from 1 to 50"),
    ("/top unicorns 3", "I don't know the category “unicorns”"),
    (f"/top {OVERLONG}", TOO_LONG),
    ("/category unicorns", "I don't know the category “unicorns”"),
    ("/category 2024 tanks", "I don't know the category “2024”"),
    ("/category tanks 2030", "in the future"),
    (f"/category {OVERLONG}", TOO_LONG),
    ("/lang klingon", "Usage: /lang en or /lang uk"),
    ("/lang 5", "Usage: /lang en or /lang uk"),
    (f"/lang {OVERLONG}", "Usage: /lang en or /lang uk"),
    ("/records tanks 2024", "I can't read the period “tanks 2024”."),
    ("/records 2024", "Record day of each category, 2024"),
    (f"/records {OVERLONG}", TOO_LONG),
    # Commands without arguments answer as usual and ignore what follows.
    ("/categories !!!", "Categories (name — what you can type)"),
    (f"/categories {OVERLONG}", "Categories (name — what you can type)"),
    ("/help me please", "/top [CATEGORY [N] [PERIOD]] — the N days with the highest losses"),
    (f"/help {OVERLONG}", "Commands"),
    ("/start 12345", "Try /totals, /day, /range week"),
    (f"/start {OVERLONG}", "All commands: /help"),
]


@pytest.mark.parametrize(("text", "words"), BAD_INPUT, ids=[t[:40] for t, _ in BAD_INPUT])
async def test_bad_input_is_explained(app: BotApplication, fake: FakeBotAPI, text: str, words: str) -> None:
    reply = await one_reply(app, fake, 401, text)
    assert words in reply
    assert "Traceback" not in reply and "Error" not in reply


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("/day tanks", "Використання: /day [ДАТА]"),
        ("/top 5 особовий", "Не знаю категорії «5»"),
        ("/range 2024-13-45", "«2024-13-45» — не дата: місяця 13 не існує."),
        (f"/totals {OVERLONG}", "Аргумент команди задовгий."),
        ("/lang klingon", "Використання: /lang en або /lang uk"),
    ],
)
async def test_bad_input_in_ukrainian(app: BotApplication, fake: FakeBotAPI, text: str, words: str) -> None:
    assert words in await one_reply(app, fake, 402, text, language_code="uk")


async def test_every_command_answers_within_one_message(app: BotApplication, fake: FakeBotAPI) -> None:
    for text in ("/records", "/categories", "/help", "/range all", "/top drones 50", "/category uav all"):
        for lang in ("en", "uk"):
            reply = await one_reply(app, fake, 403, text, language_code=lang)
            assert 0 < len(reply) <= 4096


async def test_an_edited_command_is_answered_as_a_new_one(app: BotApplication, fake: FakeBotAPI) -> None:
    """Decision: fixing a typo in a sent command gets the answer the fixed command asks for."""
    raw = message_update(404, "/totals 2025-08-22")
    raw["edited_message"] = {**raw.pop("message"), "edit_date": int(time.time())}
    await app.process_update(Update.de_json(raw, app.bot))
    [answer] = [plain(m["text"]) for m in fake.sent_messages(404)]
    assert "Personnel: 1,074,320" in answer
    # Edited chatter is not new chatter: no second "I answer commands".
    raw = message_update(404, "hello")
    raw["edited_message"] = {**raw.pop("message"), "edit_date": int(time.time())}
    await app.process_update(Update.de_json(raw, app.bot))
    assert len(fake.sent_messages(404)) == 1
