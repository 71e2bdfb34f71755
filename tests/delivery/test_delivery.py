"""Delivery against the loopback fake Bot API (with Telegram's flood limits and injected faults) and a real
SQLite outbox: every row ends sent or failed with a reason; gone chats are unsubscribed; a migrated group
is moved and served; corrections edit the sent messages; the subscription commands in every chat type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from telegram.ext import ExtBot

from bot.app import build_application
from bot.config import Settings
from bot.delivery.broadcaster import Broadcaster
from bot.delivery.budget import Limits, SendBudget
from bot.delivery.runtime import TICK_JOB
from bot.delivery.sender import Sender
from bot.services import BotApplication
from storage import delivery as store
from storage import schema
from storage.db import reading, transaction
from storage.writes import store_reports as store_write
from tests.support import databases
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import Call, FakeBotAPI, visible_text
from tests.support.running import polling, settings_for

#: Telegram's flood limits apply: the delivery must keep to them.
pytestmark = pytest.mark.rate_limits

DAY = date(2024, 10, 25)
NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)


def subscribe_all(engine: Engine, chat_ids: list[int], **settings: Any) -> None:
    with transaction(engine) as session:
        for chat_id in chat_ids:
            kind = "private" if chat_id > 0 else "supergroup" if str(chat_id).startswith("-100") else "group"
            store.subscribe(session, chat_id, chat_type=kind, now=NOW - timedelta(days=1))
            if settings:
                store.update_settings(session, chat_id, **settings)


def queue_latest(engine: Engine) -> int:
    broadcaster = Broadcaster(engine, Settings(_env_file=None).zone, clock=lambda: NOW)
    with transaction(engine) as session:
        broadcaster.detect_new(session)
        return broadcaster.enqueue_due(session)


def rows(engine: Engine) -> list[schema.Delivery]:
    with reading(engine) as session:
        return store.deliveries(session)


def sends_to(fake: FakeBotAPI, chat_id: int) -> list[Call]:
    return [c for c in fake.calls_of("sendMessage") if c.ok and c.chat_id == chat_id]


async def test_every_row_ends_sent_or_failed_with_a_reason(
    fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine
) -> None:
    store_reports(engine, reports())
    healthy = list(range(1, 21))
    blocked, deactivated, flaky, slow, transient = 101, 102, 103, 104, 105
    kicked, not_found, migrated, new_group = -201, -202, -203, -1000000000203
    subscribe_all(
        engine, [*healthy, blocked, deactivated, flaky, slow, transient, kicked, not_found, migrated]
    )
    fake.set_chat_fault(blocked, "blocked")
    fake.set_chat_fault(deactivated, "deactivated")
    fake.set_chat_fault(flaky, ("server_error", 502), times=2)
    fake.set_chat_fault(slow, ("slow", 1.5), times=1)
    fake.set_chat_fault(transient, "forbidden_transient", times=1)
    fake.set_chat_fault(kicked, "kicked")
    fake.set_chat_fault(not_found, "chat_not_found")
    fake.set_chat_fault(migrated, ("migrated", new_group))
    assert queue_latest(engine) == 2 * 28

    sender = Sender(tg, engine, backoff=0.05)
    await sender.run(until_idle=True)

    final = rows(engine)
    assert {r.state for r in final} <= {"sent", "failed"}
    assert all(r.error for r in final if r.state == "failed")
    by_chat: dict[tuple[int, str], schema.Delivery] = {(r.chat_id, r.kind): r for r in final}
    for chat in [*healthy, flaky, slow, transient, new_group]:
        assert by_chat[(chat, "summary")].state == "sent", chat
        assert by_chat[(chat, "summary")].message_id is not None
        assert [visible_text(m["text"], "HTML").splitlines()[0] for m in fake.sent_messages(chat)] == [
            "📊 Russia's losses: report of 25 Oct 2024 (day 975)",
            "🔔 Notable in the report of 25 Oct 2024 (day 975)",
        ]
    assert "blocked by the user" in (by_chat[(blocked, "summary")].error or "")
    assert "chat not found" in (by_chat[(not_found, "summary")].error or "").lower()
    assert "migrated to supergroup" in (by_chat[(migrated, "summary")].error or "")
    with reading(engine) as session:
        subs = {s.sub.chat_id: s.sub for s in store.subscribers(session)}
    for gone, why in [
        (blocked, "blocked"),
        (deactivated, "deactivated"),
        (kicked, "kicked"),
        (not_found, "chat not found"),
    ]:
        assert not subs[gone].active and why in (subs[gone].ended_reason or "")
    assert subs[transient].active and subs[flaky].active  # one unexplained 403 or a 5xx is not fatal
    assert not subs[migrated].active and subs[new_group].active  # moved, with its settings
    assert fake.too_many_requests == 0
    assert fake.stats().peak_rate(1.0) <= 30  # the budget never starts a 31st within a second
    for chat in healthy:  # two messages into one private chat: at least a second apart
        first, second = fake.send_times(chat)
        assert second - first >= 0.95


async def test_run_again_sends_only_what_is_owed(fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine) -> None:
    store_reports(engine, reports())
    subscribe_all(engine, [1, 2, 3], receive="summary")
    assert queue_latest(engine) == 3
    await Sender(tg, engine).run(until_idle=True)
    assert queue_latest(engine) == 0
    subscribe_all(engine, [4], receive="summary")
    with transaction(engine) as session:  # what `lossbot summary --send` does: every subscriber, now
        post = store.latest_post(session)
        assert post is not None
        added = Broadcaster(engine, Settings(_env_file=None).zone).enqueue_due(session, post=post, force=True)
    assert added == 1
    await Sender(tg, engine).run(until_idle=True)
    assert [len(sends_to(fake, c)) for c in (1, 2, 3, 4)] == [1, 1, 1, 1]


async def test_group_pace_and_429_pause(fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine) -> None:
    store_reports(engine, reports())
    subscribe_all(engine, [-300, -301])  # groups: summary and alert, one per 3.1 s each
    queue_latest(engine)
    fake.set_chat_fault(-300, ("error", 429, "Too Many Requests: retry after 1"), times=1)
    await Sender(tg, engine, budget=SendBudget(Limits(per_second=25))).run(until_idle=True)
    assert {r.state for r in rows(engine)} == {"sent"}
    times = fake.send_times(-301)
    assert len(times) == 2 and times[1] - times[0] >= 3.0
    assert len(fake.send_times(-300)) == 2


async def test_correction_edits_sent_messages(fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine) -> None:
    store_reports(engine, reports())
    subscribe_all(engine, [1, 2], receive="summary")
    queue_latest(engine)
    await Sender(tg, engine).run(until_idle=True)
    corrected = reports()
    last = corrected[-1]
    totals = {**last.totals, "tanks": last.totals["tanks"] + 10}
    increases = {**last.increases, "tanks": last.increases["tanks"] + 10}
    with transaction(engine) as session:  # a moderator's correction overwrites the stored figures
        store_write(session, [type(last)(last.report_date, "moderator", totals, increases)], prefer_new=True)
    broadcaster = Broadcaster(engine, Settings(_env_file=None).zone, clock=lambda: NOW)
    with transaction(engine) as session:
        assert broadcaster.published(session, DAY, correction=True) == 2
    await Sender(tg, engine).run(until_idle=True)
    for chat in (1, 2):
        [message] = fake.sent_messages(chat)
        text = visible_text(message["text"], "HTML")
        assert "✏️ corrected" in text and "Tanks: 12,519 (+35)" in text
    assert len(fake.calls_of("editMessageText")) == 2
    assert {(r.state, r.corrected_at is not None) for r in rows(engine)} == {("sent", True)}


# ------------------------------------------------------------------------------------ the bot's commands


@pytest.fixture
def chat_fake() -> Iterator[FakeBotAPI]:
    """Without flood limits: a test types faster into one chat than a person does."""
    with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def app(chat_fake: FakeBotAPI, engine: Engine) -> AsyncIterator[BotApplication]:
    fake = chat_fake
    store_reports(engine, reports())
    settings = settings_for(fake)
    application = build_application(settings, engine=engine, clock=lambda: NOW, token=fake.token)
    async with polling(application):  # as `lossbot run`: the delivery starts in post_init
        yield application


def said(chat_id: int, *parts: str) -> Any:
    def match(call: Call) -> bool:
        text = str(call.params.get("text", ""))
        return call.ok and call.params.get("chat_id") == chat_id and all(p in text for p in parts)

    return match


def subscribed(engine: Engine, chat_id: int) -> bool:
    with reading(engine) as session:
        sub = store.get_subscription(session, chat_id)
        return sub is not None and sub.active


async def test_private_subscribe_settings_and_publish(
    app: BotApplication, chat_fake: FakeBotAPI, engine: Engine
) -> None:
    fake = chat_fake
    # Only the publication below sends the summary: replies into one chat come a second apart, so the
    # periodic job (first run 1 s after the start) would find the subscription before the settings.
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name(TICK_JOB):
        job.schedule_removal()
    fake.inject_message(5, "/subscribe", language_code="uk")
    await fake.wait_for_async("sendMessage", said(5, "Підписку оформлено"))
    assert subscribed(engine, 5)
    # The answers follow the user's Telegram language; the daily messages, the subscriber's until /lang.
    fake.inject_message(5, "/settings")
    [menu] = await fake.wait_for_async(
        "sendMessage", said(5, "Settings of this chat", "Language: Українська")
    )
    labels = [b["callback_data"] for row in menu.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "sub:lang:en" in labels and "sub:when:pub" in labels
    fake.inject_callback_query(5, 5, menu.result["message_id"], "sub:lang:en")
    await fake.wait_for_async("editMessageText", lambda c: "Language: English" in str(c.params.get("text")))
    fake.inject_callback_query(5, 5, menu.result["message_id"], "sub:recv:summary")
    await fake.wait_for_async("editMessageText", lambda c: "daily summary only" in str(c.params.get("text")))
    fake.inject_message(5, "/settings time 25:00")
    await fake.wait_for_async(
        "sendMessage",
        said(5, "25:00 is not a time of day: give the hour (0–23) and minutes (00–59) as HH:MM"),
    )

    await app.bot_data.services.report_published(DAY, correction=False)
    [summary] = await fake.wait_for_async("sendMessage", said(5, "Russia's losses: report of 25 Oct 2024"))
    assert "Personnel: <b>701,000</b> (+1,630)" in summary.params["text"]
    fake.inject_message(5, "/unsubscribe")
    await fake.wait_for_async("sendMessage", said(5, "Unsubscribed"))
    assert not subscribed(engine, 5)
    # subscribed, settings, usage, the summary (not the alert: not chosen), unsubscribed
    assert len(sends_to(fake, 5)) == 5


@pytest.mark.usefixtures("app")
async def test_group_subscribe_needs_an_admin(chat_fake: FakeBotAPI, engine: Engine) -> None:
    fake = chat_fake
    group, admin, member = -400, 11, 12
    fake.add_chat(group, "group", title="Readers")
    fake.set_chat_admins(group, [admin])
    fake.inject_message(group, "/subscribe", user_id=member, chat_type="group")
    await fake.wait_for_async("sendMessage", said(group, "Only the group's administrators"))
    assert not subscribed(engine, group)
    fake.inject_message(group, "/subscribe@lossbot_test_bot", user_id=admin, chat_type="group")
    await fake.wait_for_async("sendMessage", said(group, "Subscribed."))
    assert subscribed(engine, group)
    assert {c.params["user_id"] for c in fake.calls_of("getChatMember")} == {admin, member}


@pytest.mark.usefixtures("app")
async def test_channel_subscribe_by_a_channel_post(chat_fake: FakeBotAPI, engine: Engine) -> None:
    fake = chat_fake
    channel = -1001234
    fake.add_chat(channel, "channel", title="News")
    fake.inject_channel_post(channel, "/subscribe")
    await fake.wait_for_async("sendMessage", said(channel, "Subscribed."))
    assert subscribed(engine, channel)
    fake.inject_channel_post(channel, "/unsubscribe")
    await fake.wait_for_async("sendMessage", said(channel, "Unsubscribed"))
    assert not subscribed(engine, channel)


@pytest.mark.usefixtures("app")
async def test_help_lists_the_new_commands(chat_fake: FakeBotAPI) -> None:
    fake = chat_fake
    fake.inject_message(6, "/help")
    [help_] = await fake.wait_for_async("sendMessage", said(6, "/subscribe"))
    assert "/unsubscribe" in help_.params["text"] and "/settings" in help_.params["text"]


async def test_summary_send_is_html_without_link_previews(fake: FakeBotAPI, tmp_path: Any) -> None:
    """`lossbot summary --send` builds its own bot: with the running bot's Defaults, as app.bot has."""
    from bot.cli.delivery import send_summary
    from storage.db import make_engine

    url = f"sqlite:///{tmp_path / 'send.db'}"
    engine = make_engine(url)
    store_reports(engine, reports())
    subscribe_all(engine, [7], receive="summary")
    engine.dispose()
    settings = settings_for(fake, database_url=url, bot_token=fake.token)
    assert await send_summary(settings, None) == (1, 0)
    [call] = sends_to(fake, 7)
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert visible_text(call.params["text"], "HTML").startswith("📊 Russia's losses: report of 25 Oct 2024")


# ------------------------------------------------------------------------------------- crash and restart


async def test_kill_9_midway_loses_nothing(fake: FakeBotAPI, tmp_path: Any) -> None:
    """`lossbot summary --send` for 300 subscribers, SIGKILLed midway, run again: every chat gets its
    summary; only messages in flight at the kill can repeat."""
    import asyncio
    import os
    import signal
    import sys

    from storage.db import make_engine

    url = databases.new_database_url(tmp_path, "kill")
    engine = make_engine(url)
    store_reports(engine, reports())
    chats = list(range(1000, 1300))
    subscribe_all(engine, chats, receive="summary")
    engine.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "PTB_TIMEDELTA": "1",
    }
    command = [sys.executable, "-m", "bot", "summary", "--send", "--lease", "2"]
    first = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await fake.wait_for_async("sendMessage", lambda c: c.ok, count=100, timeout=30)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed_at = len([c for c in fake.calls_of("sendMessage") if c.ok])
    assert killed_at < len(chats)

    second = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await asyncio.wait_for(second.communicate(), 60)
    assert second.returncode == 0, err.decode()[-2000:]

    counts = {chat: len(sends_to(fake, chat)) for chat in chats}
    assert min(counts.values()) == 1  # nothing lost
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= 32  # at most the sender's in-flight limit; usually 0-2
    engine = make_engine(url)
    assert {r.state for r in rows(engine)} == {"sent"}
    engine.dispose()
    assert fake.too_many_requests == 0


@pytest.mark.usefixtures("app")
async def test_group_language_needs_an_admin(chat_fake: FakeBotAPI, engine: Engine) -> None:
    """A group's language is that of its broadcasts: a member's /lang changes nothing."""
    from storage import chats

    fake = chat_fake
    group, admin, member = -401, 11, 12
    fake.add_chat(group, "group", title="Readers")
    fake.set_chat_admins(group, [admin])
    fake.inject_message(group, "/lang uk", user_id=member, chat_type="group")
    await fake.wait_for_async(
        "sendMessage", said(group, "Only the group's administrators can change its language")
    )
    with transaction(engine) as session:
        assert chats.chat_language(session, group) is None
    fake.inject_message(group, "/lang uk", user_id=admin, chat_type="group")
    await fake.wait_for_async("sendMessage", said(group, "Мову змінено на українську."))
    with transaction(engine) as session:
        assert chats.chat_language(session, group) == "uk"
