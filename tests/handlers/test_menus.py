"""The command menu and the buttons, as a user meets them: the real bot answers in-process
(`Application.process_update`), talking HTTP to the loopback fake Bot API, on a copy of the full history.

Updates are made by the fake (`inject_message`, `inject_callback_query`, so it knows the messages and the
open callback queries) and handed to the bot at once, instead of through polling: when `process_update`
returns, every answer is in, so "nothing was edited" is a plain check."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from telegram import Update

from bot.answers import menus as answer_menus
from bot.app import build_application
from bot.charts import request as charts
from bot.delivery.broadcaster import Broadcaster
from bot.i18n.catalog import _
from bot.services import BotApplication
from handlers.menus import day_reply, parse_press, top_reply
from storage import chats, queries
from storage import delivery as subscriptions
from storage.db import reading, transaction
from storage.schema import DeliveryKind
from tests.support.fakebotapi import FakeBotAPI
from tests.support.replies import plain
from tests.support.running import in_process, settings_for

#: Months after the newest report (22 Aug 2026): what the menu suggests must still answer.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NBSP = "\u00a0"
MODERATOR, OTHER_MODERATOR = 5001, 5002
USER, OTHER_USER, UK_USER = 6001, 6002, 6003
GROUP = -7001

NO_LONGER_VALID = {
    "en": "This button is no longer valid. Send the command again.",
    "uk": "Ця кнопка вже недійсна. Надішліть команду ще раз.",
}


@pytest.fixture
async def app(fake: FakeBotAPI, history_copy: str) -> AsyncIterator[BotApplication]:
    settings = settings_for(
        fake,
        database_url=history_copy,
        timezone="Europe/Kyiv",
        moderator_ids=frozenset({MODERATOR, OTHER_MODERATOR}),
    )
    async with in_process(build_application(settings, clock=lambda: NOW, token=fake.token)) as application:
        yield application


def engine_of(app: BotApplication) -> Engine:
    return app.bot_data.services.engine


async def deliver(app: BotApplication, fake: FakeBotAPI, match: Any) -> None:
    """Hand the bot the injected update MATCH picks, and wait until it is handled."""
    [raw] = [u for u in fake.pending_updates if match(u)]
    await app.process_update(Update.de_json(raw, app.bot))


async def ask(
    app: BotApplication, fake: FakeBotAPI, chat_id: int, text: str, **kwargs: Any
) -> list[dict[str, Any]]:
    """The messages the bot sends after TEXT in CHAT_ID (the stored messages, with their keyboards)."""
    before = len(fake.sent_messages(chat_id))
    update_id = fake.inject_message(chat_id, text, **kwargs)
    await deliver(app, fake, lambda u: u["update_id"] == update_id)
    return fake.sent_messages(chat_id)[before:]


async def ask_one(
    app: BotApplication, fake: FakeBotAPI, chat_id: int, text: str, **kwargs: Any
) -> dict[str, Any]:
    sent = await ask(app, fake, chat_id, text, **kwargs)
    assert len(sent) == 1, [m["text"] for m in sent]
    return sent[0]


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Label → callback data of a message's inline keyboard, as it stands."""
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def press(
    app: BotApplication,
    fake: FakeBotAPI,
    message: dict[str, Any],
    data: str,
    *,
    user_id: int,
    lang: str = "en",
) -> dict[str, Any]:
    """USER_ID presses the button with DATA under MESSAGE; the press's answer (answerCallbackQuery)."""
    chat_id = message["chat"]["id"]
    query_id = fake.inject_callback_query(chat_id, user_id, message["message_id"], data, language_code=lang)
    await deliver(app, fake, lambda u: u.get("callback_query", {}).get("id") == query_id)
    answers = fake.callback_answers
    assert query_id in answers, "the press was not answered: its spinner would stay"
    return answers[query_id]


def now_shown(fake: FakeBotAPI, message: dict[str, Any]) -> dict[str, Any]:
    found = fake.message(message["chat"]["id"], message["message_id"])
    assert found is not None
    return found


def edits(fake: FakeBotAPI) -> int:
    return len(fake.calls_of("editMessageText"))


# ------------------------------------------------------------------------------------------------- /day


def test_a_future_day_says_so_and_leads_back_to_the_newest_report(full_history: Engine) -> None:
    with reading(full_history) as session:
        shown = day_reply(session, "2099-01-01", today=NOW.date(), lang="en", asker=USER)
    assert plain(shown.text) == "1 Jan 2099 is in the future: the latest report is of 22 Aug 2026."
    assert [[b.text.replace(NBSP, " ") for b in row] for row in shown.keyboard] == [["◀ 22 Aug 2026"]]


def test_a_bare_top_offers_categories_and_an_argument_answers(full_history: Engine) -> None:
    with reading(full_history) as session:
        bare = top_reply(session, "", today=NOW.date(), lang="en", asker=USER)
        asked = top_reply(session, "tanks 5", today=NOW.date(), lang="en", asker=USER)
        wrong = top_reply(session, "nonsense", today=NOW.date(), lang="en", asker=USER)
    assert plain(bare.text).startswith("The days with the highest losses of which category?")
    assert bare.keyboard[0][0].callback_data == f"m:top:{USER}:personnel"
    assert asked.keyboard == () and "tanks" in plain(asked.text).lower()
    assert wrong.keyboard == () and "/top" in plain(wrong.text)


async def test_a_bare_day_shows_the_newest_report_with_the_one_before(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    shown = await ask_one(app, fake, USER, "/day")
    assert "Report of 22 Aug 2026" in plain(shown["text"])
    assert buttons(shown) == {  # the newest: nothing after; its chart is anyone's to ask for
        "◀ 21 Aug 2026": f"m:day:{USER}:2026-08-21",
        "📈 chart": "chart:0:20260525-20260822:",
    }

    answer = await press(app, fake, shown, f"m:day:{USER}:2026-08-21", user_id=USER)
    assert "text" not in answer  # the message changed: nothing to say on the button
    edited = now_shown(fake, shown)
    assert "Report of 21 Aug 2026" in plain(edited["text"])
    assert list(buttons(edited)) == ["◀ 20 Aug 2026", "22 Aug 2026 ▶", "📈 chart"]
    assert len(fake.sent_messages(USER)) == 1  # the same message, edited


async def test_day_date_has_both_neighbours_in_ukrainian(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, UK_USER, "/day 2024-10-25", language_code="uk")
    assert "Звіт за 25" in plain(shown["text"]) and f"+1{NBSP}630" in plain(shown["text"])
    labels = list(buttons(shown))
    assert labels[0].startswith("◀ 24 жовт. 2024") and labels[1].startswith("26 жовт. 2024")
    assert labels[1].endswith(" ▶")
    await press(app, fake, shown, buttons(shown)[labels[1]], user_id=UK_USER, lang="uk")
    assert "Звіт за 26" in plain(now_shown(fake, shown)["text"])


async def test_the_first_report_has_no_button_before_it(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, USER, "/day 2022-02-25")
    assert list(buttons(shown)) == ["26 Feb 2022 ▶", "📈 chart"]


async def test_a_day_without_a_report_leads_to_the_nearest(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, USER, "/day 2030-01-01")
    assert plain(shown["text"]) == "1 Jan 2030 is in the future: the latest report is of 22 Aug 2026."
    assert buttons(shown) == {"◀ 22 Aug 2026": f"m:day:{USER}:2026-08-22"}
    await press(app, fake, shown, f"m:day:{USER}:2026-08-22", user_id=USER)
    assert "Report of 22 Aug 2026" in plain(now_shown(fake, shown)["text"])
    # Unreadable: no buttons, the usage says how to ask.
    assert buttons(await ask_one(app, fake, USER, "/day tanks")) == {}


async def test_a_report_no_longer_stored_is_said_on_the_button(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, USER, "/day")
    before = edits(fake)
    # A button from an older message, for a day with no report (gone since, or never there).
    answer = await press(app, fake, shown, f"m:day:{USER}:2021-06-01", user_id=USER)
    assert answer["text"] == "That report is no longer stored. Send /day for the latest one."
    assert answer["show_alert"] is True
    answer = await press(app, fake, shown, f"m:day:{UK_USER}:2021-06-01", user_id=UK_USER, lang="uk")
    assert answer["text"] == "Цього звіту вже немає в базі. Надішліть /day, щоб побачити найновіший."
    assert edits(fake) == before


# ---------------------------------------------------------------------------------- /top /category /range


@pytest.mark.parametrize(
    ("command", "lang", "question", "label", "answer"),
    [
        ("/top", "en", "The days with the highest losses of which category?", "🛡 Tanks", "Tanks"),
        ("/top", "uk", "Дні з найбільшими втратами — якої категорії?", "🛡 Танки", "Танки"),
        ("/category", "en", "Which category?", "👤 Personnel", "Personnel"),
        ("/category", "uk", "Яка категорія?", "👤 Особовий склад", "Особовий склад"),
    ],
)
async def test_a_bare_category_command_offers_the_main_categories(
    app: BotApplication, fake: FakeBotAPI, command: str, lang: str, question: str, label: str, answer: str
) -> None:
    shown = await ask_one(app, fake, USER, command, language_code=lang)
    assert plain(shown["text"]).startswith(question)
    assert len(buttons(shown)) == len(answer_menus.MAIN_CATEGORIES)
    assert "Usage" not in shown["text"] and "Використання" not in shown["text"]
    await press(app, fake, shown, buttons(shown)[label], user_id=USER, lang=lang)
    edited = now_shown(fake, shown)
    assert answer in plain(edited["text"]) and "📎" in edited["text"]  # the answer, with its source
    assert "• " + label in buttons(edited)  # the buttons stay, the chosen one marked


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["👤 Personnel", "🛡 Tanks", "🚙 AFVs", "💥 Artillery", "🚀 MLRS", "📡 Air defence",
                "✈️ Aircraft", "🚁 Helicopters", "🛸 UAVs", "🎯 Cruise missiles", "🚢 Ships / boats",
                "🚚 Vehicles"]),
        ("uk", ["👤 Особовий склад", "🛡 Танки", "🚙 ББМ", "💥 Артилерія", "🚀 РСЗВ", "📡 ППО",
                "✈️ Літаки", "🚁 Гелікоптери", "🛸 БпЛА", "🎯 Крилаті ракети", "🚢 Кораблі / катери",
                "🚚 Автотехніка"]),
    ],
)  # fmt: skip
async def test_category_buttons_fit_half_a_phone_screen(
    app: BotApplication, fake: FakeBotAPI, lang: str, expected: list[str]
) -> None:
    """Two buttons a row: a phone cuts a label past ~20 characters ("БпЛА оперативно-тактичного рівня"
    would read "БпЛА операт…"), so the buttons carry short names and the answer the full one."""
    shown = await ask_one(app, fake, USER, "/category", language_code=lang)
    assert list(buttons(shown)) == expected
    await press(app, fake, shown, buttons(shown)[expected[8]], user_id=USER, lang=lang)
    edited = now_shown(fake, shown)
    full = "Operational-tactical UAVs" if lang == "en" else "БпЛА оперативно-тактичного рівня"
    # The history ends in August and NOW is December: the answer says so first, then names the category.
    late, answer = plain(edited["text"]).split("\n\n", 1)
    assert (
        late
        == {
            "en": "⚠️ The newest report is 101 days old: the sources may be late.",
            "uk": "⚠️ Найновішому звіту 101 день: джерела, можливо, запізнюються.",
        }[lang]
    )
    assert answer.startswith("🛸 " + full)
    assert "• " + expected[8] in buttons(edited)
    for command in ("/top", "/category", "/range"):
        for label in buttons(await ask_one(app, fake, USER, command, language_code=lang)):
            assert len("• " + label) <= answer_menus.MAX_LABEL, label


async def test_a_bare_range_offers_periods_ending_at_the_newest_report(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    shown = await ask_one(app, fake, USER, "/range")
    assert list(buttons(shown)) == ["7 days", "30 days", "August 2026", "2026", "All"]
    for label in ("7 days", "August 2026", "All"):
        await press(app, fake, shown, buttons(now_shown(fake, shown))[label], user_id=USER)
        text = plain(now_shown(fake, shown)["text"])
        assert "Personnel:" in text and "No reports" not in text
    assert "22 Aug 2026" in plain(now_shown(fake, shown)["text"])
    # The chosen period again: nothing to change, and still answered (no spinner, no alert).
    again = await press(app, fake, shown, buttons(now_shown(fake, shown))["• All"], user_id=USER)
    assert "text" not in again


async def test_a_bare_range_in_ukrainian(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, UK_USER, "/range", language_code="uk")
    assert plain(shown["text"]).startswith("Втрати за який період?")
    labels = list(buttons(shown))
    assert labels[:2] == ["7 днів", "30 днів"] and labels[3:] == ["2026", "Увесь час"]
    assert labels[2] == "Серпень 2026"  # a button's label starts with a capital, as in English
    await press(app, fake, shown, buttons(shown)["30 днів"], user_id=UK_USER, lang="uk")
    assert "Особовий склад" in plain(now_shown(fake, shown)["text"])


# ------------------------------------------------------------------------------------------------ /lang


async def test_a_bare_lang_offers_two_buttons(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, USER, "/lang")
    assert list(buttons(shown)) == ["• English", "Українська"]
    await press(app, fake, shown, buttons(shown)["Українська"], user_id=USER)
    edited = now_shown(fake, shown)
    assert edited["text"] == "Мову змінено на українську." and "reply_markup" not in edited
    assert "Звіт за" in plain((await ask_one(app, fake, USER, "/day 2024-10-25"))["text"])
    # Only this chat: another chat of the same person (a group) follows their language, not this /lang.
    reply = await ask_one(app, fake, GROUP, "/day 2024-10-25", chat_type="group", user_id=USER)
    assert "Report of 25 Oct 2024" in plain(reply["text"])
    with reading(engine_of(app)) as session:
        assert chats.chat_language(session, USER) == "uk" and chats.chat_language(session, GROUP) is None


async def test_lang_in_a_group_is_for_its_administrators(app: BotApplication, fake: FakeBotAPI) -> None:
    fake.add_chat(GROUP, "group")
    fake.set_chat_admins(GROUP, [USER])
    refused = await ask_one(app, fake, GROUP, "/lang", chat_type="group", user_id=OTHER_USER)
    assert refused["text"] == "Only the group's administrators can change its language."
    shown = await ask_one(app, fake, GROUP, "/lang", chat_type="group", user_id=USER)
    # A member pressing the administrator's buttons: refused on the button, nothing changes.
    before = edits(fake)
    answer = await press(app, fake, shown, buttons(shown)["Українська"], user_id=OTHER_USER)
    assert answer["text"].startswith("These buttons are for whoever asked.")
    answer = await press(app, fake, shown, buttons(shown)["Українська"], user_id=OTHER_USER, lang="uk")
    assert answer["text"].startswith("Ці кнопки — для того, хто питав.")
    assert edits(fake) == before
    with reading(engine_of(app)) as session:
        assert chats.chat_language(session, GROUP) is None
    await press(app, fake, shown, buttons(shown)["Українська"], user_id=USER)
    assert now_shown(fake, shown)["text"] == "Мову змінено на українську."
    # Now the group's language is set: every member reads Ukrainian.
    reply = await ask_one(app, fake, GROUP, "/day 2024-10-25", chat_type="group", user_id=OTHER_USER)
    assert "Звіт за 25" in plain(reply["text"])


async def test_subscribing_a_group_does_not_fix_its_language(app: BotApplication, fake: FakeBotAPI) -> None:
    fake.add_chat(GROUP, "group")
    fake.set_chat_admins(GROUP, [UK_USER, OTHER_USER])
    done = await ask_one(
        app, fake, GROUP, "/subscribe", chat_type="group", user_id=UK_USER, language_code="uk"
    )
    assert "Підписку оформлено" in done["text"]
    # Each member is still answered in their own language …
    english = await ask_one(app, fake, GROUP, "/totals 2025-08-22", chat_type="group", user_id=OTHER_USER)
    assert "Personnel: 1,074,320" in plain(english["text"])
    ukrainian = await ask_one(
        app, fake, GROUP, "/totals 2025-08-22", chat_type="group", user_id=UK_USER, language_code="uk"
    )
    assert f"1{NBSP}074{NBSP}320" in plain(ukrainian["text"]) and "Personnel" not in ukrainian["text"]
    # … while the daily messages are in the subscriber's language until the group sets one.
    with reading(engine_of(app)) as session:
        assert chats.chat_language(session, GROUP) is None
        sub = subscriptions.get_subscription(session, GROUP)
        assert sub is not None and sub.lang == "uk"
        report = queries.latest_report(session)
        assert report is not None
        texts = Broadcaster(engine_of(app), ZoneInfo("Europe/Kyiv")).texts_for(session, report, [sub])
        assert "Втрати росії: звіт за 22 серп. 2026" in texts[(GROUP, DeliveryKind.SUMMARY)]
    settings = await ask_one(app, fake, GROUP, "/settings", chat_type="group", user_id=OTHER_USER)
    assert "Language: Українська" in plain(settings["text"])  # an English admin reads which


# --------------------------------------------------------------------------------------------- presses


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize(
    "data",
    ["zzz", "m:zzz:1:x", f"m:day:{USER}:2024-13-45", f"m:top:{USER}:unicorns", f"m:lang:{USER}:klingon",
     "m:day:x:2024-10-25", "sub:zzz:1", "sub:when:25:00", "sub:lang:klingon"],
)  # fmt: skip
async def test_an_unknown_button_says_it_is_no_longer_valid(
    app: BotApplication, fake: FakeBotAPI, data: str, lang: str
) -> None:
    shown = await ask_one(app, fake, USER, "/range", language_code=lang)
    answer = await press(app, fake, shown, data, user_id=USER, lang=lang)
    assert answer["text"] == NO_LONGER_VALID[lang] and answer["show_alert"] is True
    assert "Saved" not in answer["text"]
    assert edits(fake) == 0


async def test_a_press_on_a_deleted_or_inaccessible_message(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, USER, "/range")
    data = buttons(shown)["7 days"]
    await app.bot.delete_message(USER, shown["message_id"])
    answer = await press(app, fake, shown, data, user_id=USER)
    assert answer["text"] == "This message is too old for its buttons. Send the command again."
    # Telegram no longer gives a message that old (date 0): the same answer, in Ukrainian too.
    query_id = fake.inject_callback_query(USER, USER, 999_999, data, language_code="uk")
    [raw] = [u for u in fake.pending_updates if u.get("callback_query", {}).get("id") == query_id]
    raw["callback_query"]["message"] = {
        "message_id": 999_999,
        "date": 0,
        "chat": raw["callback_query"]["message"]["chat"],
    }
    await app.process_update(Update.de_json(raw, app.bot))
    assert (
        fake.callback_answers[query_id]["text"]
        == "Це повідомлення застаре для кнопок. Надішліть команду ще раз."
    )


async def test_in_a_group_only_the_asker_presses(app: BotApplication, fake: FakeBotAPI) -> None:
    shown = await ask_one(app, fake, GROUP, "/day 2024-10-25", chat_type="group", user_id=USER)
    data = next(iter(buttons(shown).values()))
    answer = await press(app, fake, shown, data, user_id=OTHER_USER)
    assert answer["text"] == "These buttons are for whoever asked. Send the command yourself to get your own."
    assert edits(fake) == 0
    await press(app, fake, shown, data, user_id=USER)
    assert "Report of 24 Oct 2024" in plain(now_shown(fake, shown)["text"])


async def test_an_anonymous_administrators_buttons_are_for_anyone(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    """An anonymous administrator writes as the group and presses as themselves: no asker to check
    (a language button still checks that the presser is an administrator)."""
    update_id = fake.inject_message(GROUP, "/day 2024-10-25", chat_type="group", user_id=1087968824)
    [raw] = [u for u in fake.pending_updates if u["update_id"] == update_id]
    raw["message"]["sender_chat"] = raw["message"]["chat"]
    await app.process_update(Update.de_json(raw, app.bot))
    [shown] = fake.sent_messages(GROUP)
    data = next(iter(buttons(shown).values()))
    assert data.startswith("m:day:0:")
    await press(app, fake, shown, data, user_id=OTHER_USER)
    assert "Report of 24 Oct 2024" in plain(now_shown(fake, shown)["text"])


async def test_every_button_of_every_menu_is_a_known_action(app: BotApplication, fake: FakeBotAPI) -> None:
    for lang in ("en", "uk"):
        for text in ("/day", "/day 2024-10-25", "/top", "/category", "/range", "/lang"):
            shown = await ask_one(app, fake, USER, text, language_code=lang)
            assert buttons(shown), text
            for data in buttons(shown).values():
                assert parse_press(data) is not None or charts.parse_callback(data) is not None, data
                assert len(data.encode()) <= 64


# ------------------------------------------------------------------------------------------ command menus


async def test_moderator_commands_are_only_in_the_moderators_menus(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    assert app.post_init is not None
    await app.post_init(app)
    moderator = {"post", "correct", "history", "status"}
    manage = {"subscribe", "unsubscribe", "settings", "lang"}
    for lang in ("", "uk"):
        private = {c["command"] for c in fake.commands(language_code=lang)}
        groups = {c["command"] for c in fake.commands(scope={"type": "all_group_chats"}, language_code=lang)}
        admins = {
            c["command"] for c in fake.commands(scope={"type": "all_chat_administrators"}, language_code=lang)
        }
        assert {"totals", "day", "range", "top", "category", "records", "help"} <= groups
        assert not groups & (moderator | manage)  # a member can use neither there
        assert admins == groups | manage and private == admins
        for user_id in (MODERATOR, OTHER_MODERATOR):
            own = fake.commands(scope={"type": "chat", "chat_id": user_id}, language_code=lang)
            assert {c["command"] for c in own} == private | moderator
        assert fake.commands(scope={"type": "chat", "chat_id": USER}, language_code=lang) == []
        assert "start" not in private
    english = {
        c["command"]: c["description"] for c in fake.commands(scope={"type": "chat", "chat_id": MODERATOR})
    }
    ukrainian = {
        c["command"]: c["description"]
        for c in fake.commands(scope={"type": "chat", "chat_id": MODERATOR}, language_code="uk")
    }
    assert english["correct"] == "correct one figure of a report (moderators)"
    assert ukrainian["correct"] == "виправити одне число звіту (модератори)"
    assert english["top"] == "the N days with the highest losses"
    assert ukrainian["top"] == "N днів із найбільшими втратами"


async def test_a_moderator_new_to_the_bot_gets_the_menu_on_start(
    app: BotApplication, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.strict_chats = True  # as Telegram: no menu for a chat that does not exist yet
    assert app.post_init is not None
    await app.post_init(app)
    scope = {"type": "chat", "chat_id": MODERATOR}
    assert fake.commands(scope=scope) == []
    assert "command menu not registered" in caplog.text
    assert fake.commands(scope={"type": "all_group_chats"}) != []  # the others are registered all the same
    await ask_one(app, fake, MODERATOR, "/start", language_code="uk")
    for lang in ("", "uk"):
        assert "post" in {c["command"] for c in fake.commands(scope=scope, language_code=lang)}
    # Anyone else's /start changes no menu.
    calls = len(fake.calls_of("setMyCommands"))
    await ask_one(app, fake, USER, "/start")
    assert len(fake.calls_of("setMyCommands")) == calls


# ----------------------------------------------------------------------------------------- silence cases


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "I don't know that command. See /help."), ("uk", "Не знаю такої команди")],
)
async def test_an_unknown_command_addressed_to_this_bot_in_a_group(
    app: BotApplication, fake: FakeBotAPI, lang: str, words: str
) -> None:
    reply = await ask_one(
        app, fake, GROUP, f"/foo@{fake.bot_username}", chat_type="group", language_code=lang
    )
    assert words in reply["text"]
    # Another bot's commands, known or not, and bare unknown ones (maybe another bot's) are left alone.
    for text in ("/totals@otherbot", "/foo@otherbot", "/foo", "/day@otherbot 2024-10-25"):
        assert await ask(app, fake, GROUP, text, chat_type="supergroup", language_code=lang) == []


async def channel_post(
    app: BotApplication, fake: FakeBotAPI, chat_id: int, text: str
) -> list[dict[str, Any]]:
    before = len(fake.sent_messages(chat_id))
    update_id = fake.inject_channel_post(chat_id, text)
    await deliver(app, fake, lambda u: u["update_id"] == update_id)
    return fake.sent_messages(chat_id)[before:]


async def test_a_channel_answers_its_subscription_commands_and_points_elsewhere(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    channel = -1009001
    [done] = await channel_post(app, fake, channel, "/subscribe")
    assert done["text"].startswith("✅ Subscribed.")
    for text in ("/totals", "/day 2024-10-25", f"/top@{fake.bot_username} tanks", "/help"):
        [note] = await channel_post(app, fake, channel, text)
        assert note["text"].startswith("In a channel I answer only /subscribe, /unsubscribe and /settings")
        assert f"@{fake.bot_username}" in note["text"]
    for text in ("/totals@otherbot", "/subscribe@otherbot", "not a command"):
        assert await channel_post(app, fake, channel, text) == []
    with transaction(engine_of(app)) as session:
        chats.set_chat_language(session, channel, "uk")
    [note] = await channel_post(app, fake, channel, "/totals")
    assert note["text"].startswith("У каналі я відповідаю лише на /subscribe")


async def test_what_start_suggests_answers_months_after_the_newest_report(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    for lang in ("en", "uk"):
        start = plain((await ask_one(app, fake, USER, "/start", language_code=lang))["text"])
        tries, _dot, alone = start.split("\n\n")[1].partition(". ")
        suggested = re.findall(r"(/(?:totals|day|range|top)(?: [^\s,./;]+(?: \d+)?)?)", tries)
        assert len(suggested) == 4, suggested
        with_buttons = re.findall(r"/(?:top|category|range|lang|day)\b", alone.split("\n")[0])
        assert with_buttons == ["/top", "/category", "/range", "/lang", "/day"], with_buttons
        for command in suggested + with_buttons:
            [answer] = await ask(app, fake, USER, command, language_code=lang)
            reply = plain(answer["text"])
            for dead_end in ("No reports", "звітів немає", "Usage", "Використання"):
                assert dead_end not in reply, (command, reply)
            if command in with_buttons:  # what /start says: each offers buttons when sent alone
                assert buttons(answer), command


async def test_the_examples_under_the_buttons_answer_in_both_languages(
    app: BotApplication, fake: FakeBotAPI
) -> None:
    for lang in ("en", "uk"):
        for example in (*answer_menus.CATEGORY_EXAMPLES.values(), answer_menus.PERIOD_EXAMPLE):
            typed = _(lang, example)
            reply = plain((await ask_one(app, fake, USER, typed, language_code=lang))["text"])
            assert "Usage" not in reply and "Використання" not in reply, (typed, reply)


# ------------------------------------------------------------------------------------- /settings input


@pytest.mark.parametrize(
    ("lang", "typed", "said"),
    [
        ("en", "/settings time 9:30 Kyiv", "When: at 09:30 (Europe/Kyiv)"),
        ("uk", "/settings time 7.30 london", "Коли: о 07:30 (Europe/London)"),
        ("en", "/settings time 08:00 europe/warsaw", "When: at 08:00 (Europe/Warsaw)"),
        ("en", "/settings time 09:00 Mars/Phobos", "Unknown time zone Mars/Phobos; use an IANA name"),
        ("uk", "/settings time 09:00 Марс", "Невідома часова зона Марс; вкажіть назву IANA"),
        ("en", "/settings top 5", "After top, give two numbers from 1 to 50: alert when a day ranks"),
        ("uk", "/settings top 0 5", "Після top вкажіть два числа від 1 до 50: сповіщати, коли день"),
        ("uk", "/settings foo", "Використання: /settings, /settings time ГГ:ХХ [ЗОНА]"),
    ],
)
async def test_settings_read_a_city_for_a_zone_and_say_what_top_needs(
    app: BotApplication, fake: FakeBotAPI, lang: str, typed: str, said: str
) -> None:
    """A city is what people type for a zone ("Kyiv" was an unknown zone); "/settings top 5" said
    only the usage of every setting."""
    await ask_one(app, fake, USER, "/subscribe", language_code=lang)
    answer = plain((await ask_one(app, fake, USER, typed, language_code=lang))["text"])
    assert said in answer, answer
