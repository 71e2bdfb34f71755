"""The metrics a broadcast leaves, read from the exposition Prometheus scrapes: messages sent, failed by
reason; and the command label never grows with what users type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from telegram import Chat, Message, Update
from telegram.ext import ExtBot

from bot.app import build_application
from bot.config import Settings
from bot.delivery.broadcaster import Broadcaster
from bot.delivery.sender import Sender
from bot.metrics import Metrics, command_label
from storage import delivery as store
from storage.db import transaction
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import FakeBotAPI

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)


async def test_a_broadcast_counts_sent_and_failed_by_reason(
    fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine
) -> None:
    store_reports(engine, reports())
    with transaction(engine) as session:
        for chat_id in (1, 2, 3, 101):
            store.subscribe(session, chat_id, chat_type="private", now=NOW - timedelta(days=1))
            store.update_settings(session, chat_id, receive="summary")
    fake.set_chat_fault(101, "blocked")
    broadcaster = Broadcaster(engine, ZoneInfo("Europe/Kyiv"), clock=lambda: NOW)
    with transaction(engine) as session:
        broadcaster.detect_new(session)
        assert broadcaster.enqueue_due(session) == 4
    sender = Sender(tg, engine)
    await sender.run(until_idle=True)
    text = sender.metrics.exposition().decode()
    assert "lossbot_messages_sent_total 3.0" in text
    assert 'lossbot_messages_failed_total{reason="chat_gone"} 1.0' in text
    assert 'lossbot_telegram_429_total{path="broadcast"} 0.0' in text


def test_the_command_label_is_a_known_command_or_other() -> None:
    chat = Chat(1, "private")
    known = ["totals", "day"]

    def update(text: str) -> Update:
        return Update(1, message=Message(1, NOW, chat, text=text))

    assert command_label(update("/totals"), known) == "/totals"
    assert command_label(update("/Day@lossbot 2024-10-25"), known) == "/day"
    assert command_label(update("/whatever-a-user-types"), known) == "other"
    assert command_label(update("hello"), known) == "other"
    assert command_label(None, known) == "other"
    assert Metrics().registry is not Metrics().registry  # one per application


async def test_a_reply_telegram_refuses_with_429_is_counted_and_sent_again(
    fake: FakeBotAPI, engine: Engine
) -> None:
    """A command's answer goes through the rate limiter, not the sender: its 429 is counted too."""
    settings = Settings(_env_file=None, telegram_api_base_url=fake.base_url)
    app = build_application(settings, engine=engine, token=fake.token)
    fake.set_chat_fault(4242, ("flood", 1), times=1)  # Telegram: "retry after 1", once
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_760_000_000,
            "chat": {"id": 4242, "type": "private", "first_name": "Olena"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Olena", "language_code": "en"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    async with app:
        await app.process_update(Update.de_json(update, app.bot))
    statuses = [c.status for c in fake.calls_of("sendMessage") if c.chat_id == 4242]
    assert statuses == [429, 200]  # refused, then sent after the wait
    assert len(fake.sent_messages(4242)) == 1
    text = app.bot_data.metrics.exposition().decode()
    assert 'lossbot_telegram_429_total{path="reply"} 1.0' in text
    assert 'lossbot_telegram_429_total{path="broadcast"} 0.0' in text
