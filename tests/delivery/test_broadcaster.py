"""The broadcaster renders a report for every language and threshold from one reading of its facts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event

from bot.config import Settings
from bot.delivery.broadcaster import Broadcaster
from storage import chats, queries
from storage import delivery as store
from storage.db import reading, transaction
from storage.schema import DeliveryKind
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import visible_text

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)
DAY = date(2024, 10, 25)
NBSP = "\u00a0"


def subscribe(engine: Engine, chat_id: int, lang: str, **settings: Any) -> None:
    with transaction(engine) as session:
        store.subscribe(session, chat_id, chat_type="private", now=NOW)
        chats.set_chat_language(session, chat_id, lang)
        if settings:
            store.update_settings(session, chat_id, **settings)


def texts_and_statements(engine: Engine) -> tuple[dict[tuple[int, DeliveryKind], str], int]:
    """What a fresh broadcaster renders for every subscriber, and how many statements it ran."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with reading(engine) as session:
        report = queries.report_on(session, DAY)
        subs = store.active_subscriptions(session)
        assert report is not None
        event.listen(engine, "before_cursor_execute", record)
        try:
            texts = Broadcaster(engine, Settings(_env_file=None).zone).texts_for(session, report, subs)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return texts, len(statements)


def test_more_languages_and_thresholds_read_nothing_more(engine: Engine) -> None:
    store_reports(engine, reports(days=40))  # enough days for a rank to be news (facts.MIN_RANKED_DAYS)
    subscribe(engine, 1, "en")
    one_language, reads_for_one = texts_and_statements(engine)
    subscribe(engine, 2, "uk")
    subscribe(engine, 3, "uk", top_personnel=1, top_other=1)
    subscribe(engine, 4, "en", receive="summary")
    every_language, reads_for_all = texts_and_statements(engine)
    assert reads_for_all == reads_for_one
    assert every_language[(1, DeliveryKind.SUMMARY)] == one_language[(1, DeliveryKind.SUMMARY)]
    summary_uk = visible_text(every_language[(2, DeliveryKind.SUMMARY)], "HTML")
    assert "Особовий склад" in summary_uk and "місце серед днів на той час" in summary_uk
    alert = visible_text(every_language[(2, DeliveryKind.ALERT)], "HTML")
    strict = visible_text(every_language[(3, DeliveryKind.ALERT)], "HTML")
    assert f"+1{NBSP}630" in alert and f"+1{NBSP}630" not in strict  # personnel's 2nd place: not in a top 1
    assert (4, DeliveryKind.ALERT) not in every_language
