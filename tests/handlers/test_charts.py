"""/chart, its buttons and inline mode, in-process against the loopback fake Bot API on the real history.

Updates go through `Application.process_update`, which returns once the handlers are done; button presses
and inline queries are made by the fake (so it knows them when the bot answers) and handed over the same way.
"""

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
from tests.charts.test_draw import png_size
from tests.support.fakebotapi import Call, FakeBotAPI
from tests.support.running import in_process, settings_for

NOW = datetime(2026, 8, 23, 9, 0, tzinfo=UTC)
OWNER, OTHER = 501, 502
GROUP = -5050
_ids = itertools.count(1)


@pytest.fixture
async def app(fake: FakeBotAPI, history_copy: str) -> AsyncIterator[BotApplication]:
    settings = settings_for(fake, database_url=history_copy)
    async with in_process(build_application(settings, clock=lambda: NOW, token=fake.token)) as application:
        yield application


async def say(
    app: BotApplication, chat_id: int, text: str, *, user_id: int = OWNER, lang: str = "en"
) -> None:
    chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "t"}
    word = text.split()[0]
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Olena", "language_code": lang},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(word)}],
    }
    await app.process_update(Update.de_json({"update_id": next(_ids), "message": message}, app.bot))


async def deliver(app: BotApplication, fake: FakeBotAPI, key: str, value: str, **changes: Any) -> None:
    """Hand the bot the update the fake queued for the query with id VALUE (under KEY)."""
    raw = next(u for u in fake.pending_updates if u.get(key, {}).get("id") == value)
    raw[key].get("message", {}).update(changes)
    await app.process_update(Update.de_json(raw, app.bot))


async def press(
    app: BotApplication, fake: FakeBotAPI, call: Call, label: str, *, user_id: int = OWNER, **changes: Any
) -> dict[str, Any]:
    """USER_ID presses the button LABEL under the message CALL sent; the answer to the press."""
    chat_id, message_id = call.result["chat"]["id"], call.result["message_id"]
    query = fake.inject_callback_query(chat_id, user_id, message_id, buttons(call)[label])
    await deliver(app, fake, "callback_query", query, **changes)
    return fake.callback_answers[query]


def buttons(call: Call) -> dict[str, str]:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def photos(fake: FakeBotAPI) -> list[Call]:
    return [c for c in fake.calls_of("sendPhoto") if c.ok]


# ---------------------------------------------------------------------------------------------- /chart


async def test_chart_sends_a_png_with_caption_and_period_buttons(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    await say(app, OWNER, "/chart tanks 30d")
    [call] = photos(fake)
    assert png_size(call.files["photo"].data) == (1280, 960)
    caption = call.params["caption"]
    assert "Tanks: losses per day, last 30 days" in caption and "reports 24 Jul 2026 – 22 Aug 2026" in caption
    assert list(buttons(call)) == ["• 30 days", "90 days", "1 year", "all"]
    assert call.files["photo"].filename == "chart-tanks-2026-07-24-2026-08-22.png"


async def test_the_same_chart_again_is_sent_by_file_id_without_drawing(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    await say(app, OWNER, "/chart tanks,afv 30d")
    await say(app, OTHER, "/chart tanks, afv 30d")
    first, second = photos(fake)
    assert "photo" in first.files and second.files == {}
    assert second.params["photo"] == first.result["photo"][-1]["file_id"]
    assert app.bot_data.charts.drawn == 1
    await say(app, OTHER, "/chart tanks,afv 30d", lang="uk")  # another language is another picture
    assert app.bot_data.charts.drawn == 2
    assert "Танки, Бойові броньовані машини: втрати за добу" in photos(fake)[-1].params["caption"]


async def test_a_period_switch_edits_the_same_message(app: BotApplication, fake: FakeBotAPI) -> None:
    await say(app, GROUP, "/chart personnel 30d")
    [call] = photos(fake)
    await press(app, fake, call, "1 year")
    [edit] = [c for c in fake.calls_of("editMessageMedia") if c.ok]
    message = fake.message(GROUP, call.result["message_id"])
    assert message is not None and "Personnel: losses per day, last 365 days" in message["caption"]
    assert "• 1 year" in [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert len(photos(fake)) == 1  # no new message
    # Pressing the period shown changes nothing, and says so.
    answer = await press(app, fake, fake.calls_of("editMessageMedia")[-1], "• 1 year")
    assert answer["text"] == "That is the chart shown."
    assert edit.params["media"]["type"] == "photo"


async def test_another_users_press_is_refused_politely(app: BotApplication, fake: FakeBotAPI) -> None:
    await say(app, GROUP, "/chart tanks")
    [call] = photos(fake)
    answer = await press(app, fake, call, "all", user_id=OTHER)
    assert answer["show_alert"] is True
    assert "switch the chart of whoever asked for it. Send /chart for your own." in answer["text"]
    assert fake.calls_of("editMessageMedia") == [] and len(photos(fake)) == 1


async def test_a_press_on_an_old_message_sends_a_new_chart(app: BotApplication, fake: FakeBotAPI) -> None:
    await say(app, GROUP, "/chart tanks 30d")
    [call] = photos(fake)
    # Older than 48 hours: Telegram sends the message as inaccessible (date 0).
    answer = await press(app, fake, call, "90 days", date=0)
    assert answer["text"] == "That chart is too old to change; here is a new one."
    assert "last 90 days" in photos(fake)[-1].params["caption"]
    # A message the bot can no longer edit (deleted): a new one too.
    await app.bot.delete_message(call.result["chat"]["id"], call.result["message_id"])
    answer = await press(app, fake, call, "1 year")
    assert answer["text"] == "That chart is too old to change; here is a new one."
    assert len(photos(fake)) == 3 and "last 365 days" in photos(fake)[-1].params["caption"]


async def test_a_period_without_figures_gets_a_message_not_an_empty_chart(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    await say(app, OWNER, "/chart ground robots 2023-01")
    [sent] = fake.sent_messages(OWNER)
    assert sent["text"] == "No daily figures for Ground robotic systems in this period (January 2023)."
    await say(app, OWNER, "/chart unicorns")
    assert "I don't know the category “unicorns”" in fake.sent_messages(OWNER)[-1]["text"]
    assert photos(fake) == []


async def test_day_and_category_offer_the_matching_chart(app: BotApplication, fake: FakeBotAPI) -> None:
    await say(app, OWNER, "/day 2024-10-25", lang="uk")
    [day] = [c for c in fake.calls_of("sendMessage") if c.ok]
    await press(app, fake, day, "📈 графік", user_id=OTHER)  # anyone may ask for it, in their language
    [chart] = photos(fake)
    assert "Personnel: losses per day, 28 Jul\u2009–\u200925 Oct 2024" in chart.params["caption"]
    assert str(OTHER) in buttons(chart)["90 days"]  # the new chart is the presser's
    await say(app, OWNER, "/category tanks 2024")
    category = fake.calls_of("sendMessage")[-1]
    await press(app, fake, category, "📈 chart")
    assert (
        "Tanks: losses per day, 2024</b> (1 Jan\u2009–\u200931 Dec 2024)"
        in photos(fake)[-1].params["caption"]
    )


# ---------------------------------------------------------------------------------------------- inline


async def ask_inline(app: BotApplication, fake: FakeBotAPI, query: str, lang: str = "en") -> dict[str, Any]:
    query_id = fake.inject_inline_query(OWNER, query, language_code=lang)
    await deliver(app, fake, "inline_query", query_id)
    return fake.inline_answers[query_id]


async def test_inline_queries_offer_answers_to_send(app: BotApplication, fake: FakeBotAPI) -> None:
    tanks = await ask_inline(app, fake, "tanks")
    assert [r["type"] for r in tanks["results"]] == ["article", "article"]  # /category and /top
    assert tanks["results"][0]["title"] == "🛡 Tanks"
    assert "Record day:" in tanks["results"][0]["input_message_content"]["message_text"]
    assert tanks["cache_time"] == 120 and tanks["is_personal"] is True
    day = await ask_inline(app, fake, "2024-10-25", lang="uk")
    texts = [r["input_message_content"]["message_text"] for r in day["results"]]
    assert any("Звіт за 25 жовт. 2024" in t for t in texts)
    week = await ask_inline(app, fake, "week")
    assert [r["title"] for r in week["results"]] == [
        "Losses, last 7 days (7 reports, 16 Aug 2026 – 22 Aug 2026)"
    ]
    assert (await ask_inline(app, fake, "no such thing"))["results"] == []
    assert len((await ask_inline(app, fake, ""))["results"]) == 2  # the latest totals, the records


async def test_inline_offers_the_chart_once_it_was_uploaded(app: BotApplication, fake: FakeBotAPI) -> None:
    await say(app, OWNER, "/chart tanks")
    file_id = photos(fake)[0].result["photo"][-1]["file_id"]
    answer = await ask_inline(app, fake, "tanks")
    photo = answer["results"][0]
    assert photo["type"] == "photo" and photo["photo_file_id"] == file_id
    assert "Tanks: losses per day, last 90 days" in photo["caption"]
