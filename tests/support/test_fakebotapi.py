"""The loopback fake Bot API, driven by a real python-telegram-bot ``Bot`` (and once by an Application)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputMediaPhoto,
    InputTextMessageContent,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.support.fakebotapi import FakeBotAPI


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as tg_bot:
        yield tg_bot


@pytest.fixture
def timedelta_periods(monkeypatch):
    """PTB 22 warns (an error here) when RetryAfter is built, unless PTB_TIMEDELTA opts in."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=label) for label in labels]])


# --------------------------------------------------------------------------- basics


async def test_get_me_and_send_message(fake, bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "lossbot_test_bot", True)

    message = await bot.send_message(42, "Hello", reply_markup=keyboard("a", "b"))
    assert message.chat.id == 42
    assert message.text == "Hello"
    assert message.reply_markup == keyboard("a", "b")

    call = fake.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == 42  # decoded from the form field
    assert call.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "b"
    assert (call.status, call.ok, call.result["message_id"]) == (200, True, message.message_id)
    [sent] = fake.sent_messages(42)
    assert (sent["text"], sent["message_id"]) == ("Hello", message.message_id)
    assert fake.method_counts()["sendMessage"] == 1


async def test_message_ids_increase_per_chat(fake, bot):
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (1, 1, 2, 1, 2)]
    assert ids == [1, 2, 1, 3, 2]
    fake.inject_message(1, "hi")  # a user's message takes the next id of the chat too
    assert (await bot.send_message(1, "x")).message_id == 5
    assert [m["message_id"] for m in fake.sent_messages(1)] == [1, 2, 3, 5]


async def test_reply_keyboards_are_recorded_but_not_echoed(fake, bot):
    message = await bot.send_message(7, "pick", reply_markup=ReplyKeyboardMarkup([["/today"]]))
    assert message.reply_markup is None  # Telegram echoes inline keyboards only
    assert fake.sent_messages(7)[0]["reply_markup"]["keyboard"] == [[{"text": "/today"}]]


async def test_text_params_stay_strings(fake, bot):
    await bot.send_message(3, "123")
    await bot.send_message(3, "true")
    assert [c.params["text"] for c in fake.calls_of("sendMessage")] == ["123", "true"]


async def test_wrong_token_and_unknown_method(fake, bot):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")
    assert fake.calls_of("fooBar")[0].status == 404
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.base_url):
            pass
    assert fake.calls[-1].status == 401


def test_serves_another_process(fake):
    script = (
        "import json, sys, urllib.request;"
        "print(urllib.request.urlopen(sys.argv[1] + '/getMe', data=b'').read().decode())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, f"{fake.base_url}{fake.token}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    assert json.loads(out.stdout)["result"]["username"] == "lossbot_test_bot"


# --------------------------------------------------------------------------- content limits


async def test_overlong_text_is_rejected(fake, bot):
    await bot.send_message(1, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "a" * 4097)
    assert fake.calls_of("sendMessage")[-1].status == 400
    # markup does not count: Telegram measures the parsed text
    await bot.send_message(1, "<b>" + "a" * 4090 + "</b> &lt;3", parse_mode=ParseMode.HTML)
    assert len(fake.sent_messages(1)) == 2


async def test_overlong_caption_is_rejected(bot):
    await bot.send_photo(1, b"img", caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(1, b"img", caption="c" * 1025)


async def test_empty_text_is_rejected(bot):
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(1, " ")


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("1 < 2", ParseMode.HTML, 'Unsupported start tag "" at byte offset 2'),
        ("<p>x</p>", ParseMode.HTML, 'Unsupported start tag "p"'),
        ("<b>x</i>", ParseMode.HTML, 'expected "</b>", found "</i>"'),
        ("<b>x", ParseMode.HTML, 'start tag "b"'),
        ("Total: 1.5", ParseMode.MARKDOWN_V2, "Character '.' is reserved"),
        ("*bold", ParseMode.MARKDOWN_V2, "Can't find end of Bold entity"),
        ("snake_case", ParseMode.MARKDOWN, "Can't find end of the entity"),
    ],
)
async def test_invalid_markup_is_rejected(bot, text, parse_mode, error):
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: .*" + re.escape(error)):
        await bot.send_message(1, text, parse_mode=parse_mode)


@pytest.mark.parametrize(
    ("text", "parse_mode"),
    [
        ('1 &lt; 2 &amp; <a href="https://x.y/?a=1&b=2">link</a> > 0', ParseMode.HTML),
        ("<pre><code class='language-python'>x</code></pre><tg-spoiler>s</tg-spoiler>", ParseMode.HTML),
        (r"*Total:* 1\.5 \(est\.\) [site](https://x.y/a_(b\)) __u__ ||s|| `a.b`", ParseMode.MARKDOWN_V2),
        ("*bold* _it_ `code` [l](https://x.y)", ParseMode.MARKDOWN),
    ],
)
async def test_valid_markup_is_accepted(bot, text, parse_mode):
    await bot.send_message(1, text, parse_mode=parse_mode)


# --------------------------------------------------------------------------- edits and callbacks


async def test_edit_message_text(fake, bot):
    message = await bot.send_message(5, "v1", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("v2", chat_id=5, message_id=99)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "v1", chat_id=5, message_id=message.message_id, reply_markup=keyboard("a")
        )
    edited = await bot.edit_message_text("v2", chat_id=5, message_id=message.message_id)
    assert isinstance(edited, type(message))
    assert (edited.text, edited.reply_markup) == ("v2", None)  # no reply_markup: the keyboard goes
    assert fake.sent_messages(5)[0]["text"] == "v2"
    await bot.edit_message_reply_markup(5, message.message_id, reply_markup=keyboard("b"))
    assert fake.message(5, message.message_id)["reply_markup"] == keyboard("b").to_dict()


async def test_delete_and_copy_message(fake, bot):
    original = await bot.send_message(5, "post")
    copied = await bot.copy_message(6, from_chat_id=5, message_id=original.message_id)
    assert fake.message(6, copied.message_id)["text"] == "post"
    assert await bot.delete_message(5, original.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(5, original.message_id)
    assert fake.sent_messages(5) == []
    assert len(fake.sent_messages(5, include_deleted=True)) == 1


async def test_callback_query_round_trip(fake, bot):
    message = await bot.send_message(8, "choose", reply_markup=keyboard("yes", "no"))
    query_id = fake.inject_callback_query(8, 8, message.message_id, "yes")
    [update] = await bot.get_updates()
    assert update.callback_query.id == query_id
    assert update.callback_query.data == "yes"
    assert update.callback_query.message.text == "choose"
    assert await bot.answer_callback_query(query_id, text="Done")
    assert fake.callback_answers[query_id]["text"] == "Done"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("chat_id", "fault", "exception", "text"),
    [
        (10, "blocked", Forbidden, "Forbidden: bot was blocked by the user"),
        (10, "deactivated", Forbidden, "Forbidden: user is deactivated"),
        (-20, "kicked", Forbidden, "Forbidden: bot was kicked from the group chat"),
        (-10020, "kicked", Forbidden, "Forbidden: bot was kicked from the supergroup chat"),
        (-20, "not_member", Forbidden, "Forbidden: bot is not a member of the group chat"),
        (-20, "chat_deleted", Forbidden, "Forbidden: the group chat was deleted"),
        (10, "chat_not_found", BadRequest, "Chat not found"),
        (10, "server_error", NetworkError, "Internal Server Error"),
        (10, ("server_error", 502), NetworkError, "Bad Gateway"),
        (10, ("error", 409, "Conflict: test"), Conflict, "Conflict: test"),
    ],
)
async def test_chat_faults_raise_the_right_exception(fake, bot, chat_id, fault, exception, text):
    fake.set_chat_fault(chat_id, fault)
    with pytest.raises(exception) as caught:
        await bot.send_message(chat_id, "x")
    assert str(caught.value) == text
    assert fake.sent_messages(chat_id) == []
    await bot.send_message(chat_id + 1, "x")  # other chats are untouched


async def test_flood_fault_answers_429_with_retry_after(fake, bot):
    fake.set_chat_fault(10, ("flood", 3), times=1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(10, "x")
    assert caught.value.retry_after == timedelta(seconds=3)
    assert fake.too_many_requests == 1
    await bot.send_message(10, "x")  # once only


async def test_migrated_chat(fake, bot):
    fake.set_chat_fault(-30, ("migrated", -10030))
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-30, "x")
    assert caught.value.new_chat_id == -10030
    assert fake.calls_of("sendMessage")[0].response["parameters"] == {"migrate_to_chat_id": -10030}
    assert (await bot.send_message(caught.value.new_chat_id, "x")).chat.type == "supergroup"


async def test_transient_faults_clear_after_n_times(fake, bot):
    fake.set_chat_fault(11, "forbidden_transient", times=2)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot can't send messages to the user"):
            await bot.send_message(11, "x")
    await bot.send_message(11, "x")

    fake.set_chat_fault(12, "server_error", times=1)
    with pytest.raises(NetworkError):
        await bot.send_message(12, "x")
    await bot.send_message(12, "x")
    assert [c.status for c in fake.calls_of("sendMessage")] == [403, 403, 200, 500, 200]


async def test_user_faults_spare_non_sending_methods(fake, bot):
    fake.set_chat_fault(13, "blocked")
    assert (await bot.get_chat(13)).id == 13
    with pytest.raises(Forbidden):
        await bot.send_chat_action(13, "typing")


async def test_slow_chat(fake, bot):
    fake.set_chat_fault(14, ("slow", 0.3))
    started = time.monotonic()
    await bot.send_message(14, "x")
    assert time.monotonic() - started >= 0.3
    assert fake.calls_of("sendMessage")[0].duration >= 0.3


async def test_method_fault(fake, bot):
    fake.set_method_fault("getUpdates", ("server_error", 502), times=1)
    with pytest.raises(NetworkError):
        await bot.get_updates()
    assert await bot.get_updates() == ()


# --------------------------------------------------------------------------- rate limits


@pytest.mark.usefixtures("timedelta_periods")
async def test_private_chat_limit():
    with FakeBotAPI(rate_limits=True) as limited:
        async with Bot(limited.token, base_url=limited.base_url) as tg_bot:
            for _ in range(3):  # the burst passes
                await tg_bot.send_message(1, "x")
            with pytest.raises(RetryAfter) as caught:
                await tg_bot.send_message(1, "x")
            assert isinstance(caught.value.retry_after, timedelta)
            assert caught.value.retry_after >= timedelta(seconds=1)
            await tg_bot.send_message(2, "x")  # another chat is not limited
        assert limited.too_many_requests == 1
        call = limited.calls_of("sendMessage")[3]
        assert call.status == 429
        assert call.response["description"].startswith("Too Many Requests: retry after ")
        assert call.response["parameters"]["retry_after"] >= 1


@pytest.mark.usefixtures("timedelta_periods")
async def test_group_and_global_limits():
    with FakeBotAPI(rate_limits=True, group_per_minute=2, global_per_second=5) as limited:
        async with Bot(limited.token, base_url=limited.base_url) as tg_bot:
            await tg_bot.send_message(-5, "x")
            await tg_bot.send_message(-5, "x")
            with pytest.raises(RetryAfter) as caught:
                await tg_bot.send_message(-5, "x")
            assert isinstance(caught.value.retry_after, timedelta)
            assert timedelta(seconds=50) <= caught.value.retry_after <= timedelta(seconds=60)

            for chat in range(100, 103):  # 2 + 3 sends in this second: the global limit is reached
                await tg_bot.send_message(chat, "x")
            with pytest.raises(RetryAfter):
                await tg_bot.send_message(200, "x")
        stats = limited.stats()
        assert stats.too_many_requests == 2
        assert stats.status_counts == {200: 6, 429: 2}
        assert stats.peak_rate(1.0) == 5
        assert len(stats.send_times(-5)) == 2


# --------------------------------------------------------------------------- updates


async def test_get_updates_honours_offset(fake, bot):
    first = fake.inject_message(21, "/start", language_code="uk")
    fake.inject_message(-22, "/today@lossbot_test_bot", chat_type="group", user_id=21)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, first + 1]
    start = updates[0].message
    assert (start.text, start.chat.type, start.from_user.language_code) == ("/start", "private", "uk")
    assert start.entities[0].type == "bot_command"
    assert updates[1].message.chat.type == "group"

    assert len(await bot.get_updates(offset=first + 1)) == 1  # the first is confirmed and dropped
    assert await bot.get_updates(offset=first + 2) == ()
    assert fake.pending_updates == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake, bot):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()  # held open
    started = time.monotonic()
    fake.inject_channel_post(-10050, "post")
    [update] = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert update.channel_post.chat.type == "channel"


@pytest.mark.usefixtures("fake")
async def test_long_poll_times_out_empty(bot):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_second_poller_conflicts_with_the_first(fake, bot):
    async with Bot(fake.token, base_url=fake.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        second = asyncio.create_task(other.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)
        fake.inject_message(1, "hi")
        assert len(await asyncio.wait_for(second, 2)) == 1


async def test_webhook_excludes_get_updates(fake, bot):
    fake.inject_message(1, "hi")
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_allowed_updates_filter(fake, bot):
    fake.inject_update({"chat_member": {}})  # not asked for: never delivered
    fake.inject_message(1, "hi")
    assert [u.message.text for u in await bot.get_updates()] == ["hi"]
    fake.inject_my_chat_member(-40, new_status="left", chat_type="supergroup")
    [update] = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert update.my_chat_member.new_chat_member.status == "left"


# --------------------------------------------------------------------------- files, commands, members


async def test_send_photo_and_document_with_bytes(fake, bot):
    image = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    message = await bot.send_photo(9, image, caption="Losses", filename="day.png")
    assert message.caption == "Losses"
    assert message.photo[-1].file_size == len(image)
    upload = fake.calls_of("sendPhoto")[0].files["photo"]
    assert (upload.size, upload.filename) == (len(image), "day.png")
    assert fake.sent_messages(9)[0]["caption"] == "Losses"

    document = await bot.send_document(9, b"a,b\n1,2\n", filename="losses.csv")
    assert (document.document.file_name, document.document.file_size) == ("losses.csv", 8)
    downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"


async def test_edit_message_media(fake, bot):
    first, second = b"\x89PNG\r\n\x1a\n" + bytes(100), b"\x89PNG\r\n\x1a\n" + bytes(200)
    message = await bot.send_photo(9, first, caption="30 days", filename="a.png")
    edited = await bot.edit_message_media(
        InputMediaPhoto(second, caption="90 days", filename="b.png"), 9, message.message_id
    )
    assert edited.caption == "90 days" and edited.photo[-1].file_size == len(second)
    assert fake.sent_messages(9)[0]["caption"] == "90 days"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):  # the same photo, by its file id, and caption
        await bot.edit_message_media(
            InputMediaPhoto(edited.photo[-1].file_id, caption="90 days"), 9, message.message_id
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_media(InputMediaPhoto(first), 9, 999)


async def test_answer_inline_query(fake, bot):
    query_id = fake.inject_inline_query(5, "tanks", language_code="uk")
    [update] = [u for u in fake.pending_updates if "inline_query" in u]
    assert update["inline_query"]["query"] == "tanks"
    result = InlineQueryResultArticle("a", "Tanks", InputTextMessageContent("<b>Tanks</b>"))
    assert await bot.answer_inline_query(query_id, [result], cache_time=60, is_personal=True)
    answer = fake.inline_answers[query_id]
    assert (answer["cache_time"], answer["results"][0]["title"]) == (60, "Tanks")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # answered once only
        await bot.answer_inline_query(query_id, [result])
    other = fake.inject_inline_query(5, "x")
    with pytest.raises(BadRequest, match=r"(?i)result_id_duplicate"):
        await bot.answer_inline_query(other, [result, result])
    many = [InlineQueryResultArticle(str(n), "t", InputTextMessageContent("x")) for n in range(51)]
    with pytest.raises(BadRequest, match=r"(?i)results_too_much"):
        await bot.answer_inline_query(other, many)


async def test_commands_per_scope_and_language(fake, bot):
    await bot.set_my_commands([("today", "Today's losses")])
    await bot.set_my_commands([("today", "Втрати за сьогодні")], language_code="uk")
    assert [c.description for c in await bot.get_my_commands(language_code="uk")] == ["Втрати за сьогодні"]
    assert fake.commands()[0] == {"command": "today", "description": "Today's losses"}
    assert fake.commands(scope={"type": "all_group_chats"}) == []
    assert await bot.delete_my_commands(language_code="uk")
    assert await bot.get_my_commands(language_code="uk") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Today", "x")])


async def test_chat_members_and_admins(fake, bot):
    fake.set_chat_admins(-60, [61], creator=62)
    assert (await bot.get_chat_member(-60, 61)).status == "administrator"
    assert (await bot.get_chat_member(-60, 62)).status == "creator"
    assert (await bot.get_chat_member(-60, 63)).status == "member"
    assert (await bot.get_chat_member(-60, fake.bot_id)).status == "member"
    admins = await bot.get_chat_administrators(-60)
    assert [a.user.id for a in admins] == [62, 61]
    fake.set_chat_member_status(-60, 63, "left")
    assert (await bot.get_chat_member(-60, 63)).status == "left"
    chat = await bot.get_chat(-60)
    assert (chat.type, chat.title) == ("group", "Test group")


async def test_strict_chats():
    with FakeBotAPI(strict_chats=True) as strict:
        async with Bot(strict.token, base_url=strict.base_url) as tg_bot:
            with pytest.raises(BadRequest, match="Chat not found"):
                await tg_bot.send_message(77, "x")
            strict.add_chat(77)
            await tg_bot.send_message(77, "x")


async def test_stop_answers_pending_long_polls():
    api = FakeBotAPI()
    api.start()
    try:
        async with Bot(api.token, base_url=api.base_url) as tg_bot:
            poll = asyncio.create_task(tg_bot.get_updates(timeout=10))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            await asyncio.to_thread(api.stop)
            assert await asyncio.wait_for(poll, 3) == ()
            assert time.monotonic() - started < 2
    finally:
        api.stop()
    assert not any(t.name == "FakeBotAPI" for t in threading.enumerate())


# --------------------------------------------------------------------------- waiting


def test_wait_for_blocks_until_calls_arrive(fake):
    def send_later() -> None:
        time.sleep(0.2)
        script = f"{fake.base_url}{fake.token}/sendMessage"
        for text in ("a", "b"):
            urllib.request.urlopen(script, data=f"chat_id=1&text={text}".encode()).read()

    thread = threading.Thread(target=send_later)
    thread.start()
    try:
        calls = fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 1, timeout=5, count=2)
    finally:
        thread.join()
    assert [c.params["text"] for c in calls] == ["a", "b"]


def test_wait_for_times_out_with_the_calls_seen(fake):
    with pytest.raises(AssertionError, match="expected 1 matching sendPhoto") as caught:
        fake.wait_for("sendPhoto", timeout=0.1)
    assert "(none)" in str(caught.value)


async def test_application_replies_to_a_command(fake):
    async def start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome")

    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        await app.start()
        try:
            fake.inject_message(-31, "/start@lossbot_test_bot", chat_type="group")
            [reply] = await fake.wait_for_async("sendMessage", timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply.params["text"] == "Welcome"
    assert reply.params["reply_parameters"]["message_id"] == 1  # PTB quotes in groups
    assert fake.sent_messages(-31)[0]["reply_to_message"]["text"] == "/start@lossbot_test_bot"
    assert fake.pending_updates == []  # the last getUpdates confirmed the offset
