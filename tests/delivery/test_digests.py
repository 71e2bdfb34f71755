"""Weekly and monthly digests through the outbox, against the loopback fake Bot API and a real SQLite
store: who gets them, when, exactly once (restarts too), with the sums the stored figures give, in both
languages; and the daily summary's "📈 chart" button, which a correction keeps and a press answers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import ExtBot

from bot.answers import digest
from bot.app import build_application
from bot.config import Settings
from bot.delivery.broadcaster import Broadcaster
from bot.delivery.sender import Sender
from bot.domain.report import ReportFigures
from bot.i18n import fmt
from storage import chats, schema
from storage import delivery as store
from storage.db import reading, transaction
from storage.writes import store_reports as store_write
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import Call, FakeBotAPI, visible_text

#: 35 reports, Monday 30 Sep … Sunday 3 Nov 2024, without 23 Oct (so the week of 21–27 Oct has 6 days).
LAST = date(2024, 11, 3)
MISSING = date(2024, 10, 23)
MONDAY = datetime(2024, 10, 28, 8, 0, tzinfo=UTC)  # 10:00 in Kyiv: past the 09:00 default
FIRST_OF_MONTH = datetime(2024, 11, 1, 8, 0, tzinfo=UTC)
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def history() -> list[ReportFigures]:
    return [r for r in reports(last=LAST, days=35) if r.report_date != MISSING]


def subscribe(engine: Engine, chat_id: int, *, lang: str = "en", **settings: Any) -> None:
    with transaction(engine) as session:
        store.subscribe(session, chat_id, chat_type="private", now=MONDAY - timedelta(days=30))
        chats.set_chat_language(session, chat_id, lang)
        if settings:
            store.update_settings(session, chat_id, **settings)


def queue_digests(engine: Engine, now: datetime) -> int:
    broadcaster = Broadcaster(engine, Settings(_env_file=None).zone, clock=lambda: now)
    with transaction(engine) as session:
        return broadcaster.enqueue_digests(session)


def sent(fake: FakeBotAPI, method: str, chat_id: int) -> list[Call]:
    return [c for c in fake.calls_of(method) if c.ok and c.chat_id == chat_id]


def losses(items: list[ReportFigures], category: str, first: date, last: date) -> int:
    """Computed here from the figures as stored: the total at the period's last report minus the total
    at the last report before it."""
    inside = [r for r in items if first <= r.report_date <= last]
    before = [r for r in items if r.report_date < first]
    return inside[-1].totals[category] - before[-1].totals[category]


async def test_a_weekly_subscriber_gets_the_digest_on_monday_once_and_others_nothing(
    fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine
) -> None:
    items = history()
    store_reports(engine, items)
    subscribe(engine, 1, digests="weekly")
    subscribe(engine, 2)  # the daily messages only
    subscribe(engine, 3, digests="both", lang="uk")
    subscribe(engine, 4, digests="weekly")
    subscribe(engine, 5, digests="monthly")
    assert queue_digests(engine, MONDAY - timedelta(days=1)) == 0  # Sunday: not yet
    assert queue_digests(engine, MONDAY - timedelta(hours=2)) == 0  # Monday 08:00 in Kyiv: not yet
    assert queue_digests(engine, MONDAY) == 6  # a chart and a text for chats 1, 3 and 4
    await Sender(tg, engine).run(until_idle=True)

    [photo] = sent(fake, "sendPhoto", 1)
    [text] = sent(fake, "sendMessage", 1)
    assert photo.result["message_id"] < text.result["message_id"]  # the chart, then the text
    assert "21–27 Oct 2024" in photo.params["caption"] and "📎" in photo.params["caption"]
    body = visible_text(text.params["text"], "HTML")
    assert body.startswith("🗓 Weekly digest: Russia's losses, 21–27 Oct 2024")
    assert "6 of 7 days reported; no report for 23 Oct 2024" in body
    personnel = losses(items, "personnel", date(2024, 10, 21), date(2024, 10, 27))
    before = losses(items, "personnel", date(2024, 10, 14), date(2024, 10, 20))
    assert f"Personnel: {fmt.number(personnel, 'en')} (before: {fmt.number(before, 'en')}, " in body
    assert "reports 21 Oct 2024 – 27 Oct 2024 · sources: PetroIvaniuk dataset" in body
    for nobody in (2, 5):
        assert fake.sent_messages(nobody) == []
    uk = visible_text(sent(fake, "sendMessage", 3)[0].params["text"], "HTML")
    assert uk.startswith("🗓 Тижневий підсумок: втрати росії, 21–27 жовт. 2024\u202fр.")
    assert "Є звіти за 6 з 7 днів" in uk and f"Особовий склад: {fmt.number(personnel, 'uk')}" in uk
    # The English chart was uploaded once; the other English chat got Telegram's file id.
    english = [*sent(fake, "sendPhoto", 1), *sent(fake, "sendPhoto", 4)]
    assert sorted("photo" in c.files for c in english) == [False, True]

    # A restart (a new broadcaster and sender, the same day): nothing is queued or sent again.
    assert queue_digests(engine, MONDAY + timedelta(hours=3)) == 0
    await Sender(tg, engine).run(until_idle=True)
    assert len(sent(fake, "sendPhoto", 1)) == 1 and len(sent(fake, "sendMessage", 1)) == 1
    # Next Monday (the 4th of November) is the next week's.
    assert queue_digests(engine, MONDAY + timedelta(days=7)) == 6


async def test_the_monthly_digest_on_the_first(fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine) -> None:
    items = history()
    store_reports(engine, items)
    subscribe(engine, 7, digests="monthly", send_at="07:30", timezone="UTC")
    assert queue_digests(engine, FIRST_OF_MONTH - timedelta(hours=1)) == 0  # 07:00 UTC: before 07:30
    assert queue_digests(engine, FIRST_OF_MONTH) == 2
    await Sender(tg, engine).run(until_idle=True)
    [photo] = sent(fake, "sendPhoto", 7)
    assert "October 2024" in photo.params["caption"]
    body = visible_text(sent(fake, "sendMessage", 7)[0].params["text"], "HTML")
    assert body.startswith("🗓 Monthly digest: Russia's losses, October 2024")
    assert "30 of 31 days reported; no report for 23 Oct 2024" in body
    for key, name in (("personnel", "Personnel"), ("tanks", "Tanks")):
        amount = losses(items, key, date(2024, 10, 1), date(2024, 10, 31))
        assert f"{name}: {fmt.number(amount, 'en')}" in body
    assert "🏆" in body  # the fixture's last day of each week is no record, but the first days were


def test_digest_facts_sum_what_the_store_holds(engine: Engine) -> None:
    items = history()
    store_reports(engine, items)
    week = digest.week_before(MONDAY.date())
    assert (week.first, week.last) == (date(2024, 10, 21), date(2024, 10, 27))
    assert digest.month_before(date(2024, 11, 1)) == digest.DigestPeriod(
        "month", date(2024, 10, 1), date(2024, 10, 31)
    )
    with reading(engine) as session:
        view = digest.digest_facts(session, week)
    assert view is not None
    assert view.report_days == 6 and view.missing == (MISSING,)
    got = {line.category: (line.amount, line.previous) for line in view.lines}
    for key in ("personnel", "tanks", "uav"):
        assert got[key] == (
            losses(items, key, week.first, week.last),
            losses(items, key, date(2024, 10, 14), date(2024, 10, 20)),
        )
    highest = max(
        (r for r in items if week.first <= r.report_date <= week.last), key=lambda r: r.increases["personnel"]
    )
    assert view.highest is not None and view.highest.report_date == highest.report_date


# ------------------------------------------------------------------------------------ the chart button


async def test_the_daily_summary_carries_a_chart_button_that_sends_the_chart(
    fake: FakeBotAPI, tg: ExtBot[Any], engine: Engine
) -> None:
    store_reports(engine, reports(last=LAST, days=35))
    subscribe(engine, 9, receive="summary")
    now = datetime(2024, 11, 3, 9, 0, tzinfo=UTC)
    broadcaster = Broadcaster(engine, Settings(_env_file=None).zone, clock=lambda: now)
    with transaction(engine) as session:
        broadcaster.detect_new(session)
        assert broadcaster.enqueue_due(session) == 1
    await Sender(tg, engine).run(until_idle=True)
    [summary] = sent(fake, "sendMessage", 9)
    [[button]] = summary.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "📈 chart" and len(button["callback_data"].encode()) < 64

    # A correction edits the summary and keeps its button.
    last = reports(last=LAST, days=35)[-1]
    totals = {**last.totals, "tanks": last.totals["tanks"] + 10}
    increases = {**last.increases, "tanks": last.increases["tanks"] + 10}
    with transaction(engine) as session:
        store_write(session, [ReportFigures(LAST, "moderator", totals, increases)], prefer_new=True)
    with transaction(engine) as session:
        assert broadcaster.published(session, LAST, correction=True) == 1
    await Sender(tg, engine).run(until_idle=True)
    [edit] = [c for c in fake.calls_of("editMessageText") if c.ok]
    assert edit.params["reply_markup"]["inline_keyboard"] == [[button]]

    # Pressed, it sends the chart of the summary's categories over the 90 days up to its report.
    settings = Settings(_env_file=None, database_url=str(engine.url), telegram_api_base_url=fake.base_url)
    app = build_application(settings, engine=engine, clock=lambda: now, token=fake.token)
    async with app:
        query = fake.inject_callback_query(9, 9, summary.result["message_id"], button["callback_data"])
        raw = next(u for u in fake.pending_updates if u.get("callback_query", {}).get("id") == query)
        await app.process_update(Update.de_json(raw, app.bot))
    [chart] = sent(fake, "sendPhoto", 9)
    assert "Personnel, Tanks, Artillery systems, Operational-tactical UAVs" in chart.params["caption"]
    assert "losses per day, 6 Aug\u2009–\u20093 Nov 2024" in chart.params["caption"]


def test_settings_offer_the_digests(engine: Engine) -> None:
    subscribe(engine, 11, digests="both")
    with reading(engine) as session:
        sub = store.get_subscription(session, 11)
    assert sub is not None and sub.digests == schema.Digests.BOTH
    assert sub.digests.includes("week") and sub.digests.includes("month")
    assert not schema.Digests.WEEKLY.includes("month")


async def test_settings_buttons_choose_the_digests(fake: FakeBotAPI, engine: Engine) -> None:
    store_reports(engine, history())
    subscribe(engine, 12)
    settings = Settings(_env_file=None, database_url=str(engine.url), telegram_api_base_url=fake.base_url)
    app = build_application(settings, engine=engine, clock=lambda: MONDAY, token=fake.token)
    async with app:
        message = {
            "message_id": next(_ids),
            "date": int(MONDAY.timestamp()),
            "chat": {"id": 12, "type": "private"},
            "from": {"id": 12, "is_bot": False, "first_name": "Olena", "language_code": "en"},
            "text": "/settings",
            "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
        }
        await app.process_update(Update.de_json({"update_id": next(_ids), "message": message}, app.bot))
        [shown] = sent(fake, "sendMessage", 12)
        assert "Digests: none" in visible_text(shown.params["text"], "HTML")
        rows = shown.params["reply_markup"]["inline_keyboard"]
        found = {b["text"]: b["callback_data"] for row in rows for b in row}
        assert list(found)[-4:] == ["• No digest", "Weekly", "Monthly", "Week + month"]
        query = fake.inject_callback_query(12, 12, shown.result["message_id"], found["Weekly"])
        raw = next(u for u in fake.pending_updates if u.get("callback_query", {}).get("id") == query)
        await app.process_update(Update.de_json(raw, app.bot))
        # The running bot's periodic job queues it: it is Monday, 10:00 in Kyiv.
        assert await app.bot_data.delivery.tick() == 2
    with reading(engine) as session:
        sub = store.get_subscription(session, 12)
    assert sub is not None and sub.digests == schema.Digests.WEEKLY
    [edited] = [c for c in fake.calls_of("editMessageText") if c.ok]
    assert "Digests: weekly (Mondays)" in visible_text(edited.params["text"], "HTML")
    assert queue_digests(engine, MONDAY) == 0  # queued once
