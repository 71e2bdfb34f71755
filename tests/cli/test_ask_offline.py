"""`lossbot ask` answers with the real handlers but is not a running bot: it sends no broadcast."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.cli import offline
from bot.config import Settings
from storage import delivery as store
from storage.db import reading
from tests.delivery.test_delivery import queue_latest, subscribe_all
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports


async def test_ask_answers_and_leaves_the_outbox_alone(engine: Engine) -> None:
    store_reports(engine, reports())
    subscribe_all(engine, [offline.CHAT_ID], receive="summary")  # the asking chat is owed a summary
    assert queue_latest(engine) == 1
    settings = Settings(_env_file=None, database_url=engine.url.render_as_string(hide_password=False))
    sent = await offline.ask(settings, "/help", lang="en")
    assert [m.method for m in sent] == ["sendMessage"]
    assert "/subscribe" in sent[0].text
    with reading(engine) as session:
        assert store.owed(session) == 1
