"""The bot fetches the day's report by itself: catch-up at start, the morning window, auto and review modes,
moderators told about held and missing reports. The real bot against the loopback fake Bot API and the
loopback fake russianwarship.rip API, a real SQLite store, and a fixed clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import build_application
from bot.config import Settings
from bot.i18n import fmt
from bot.moderation.morning import POLL_JOB
from bot.services import BotApplication
from bot.sources import snapshot
from storage import queries
from storage.db import reading, transaction
from storage.writes import store_reports
from tests.support.fakebotapi import FakeBotAPI
from tests.support.fakesources import FakeSources
from tests.support.running import polling, settings_for

HISTORY = snapshot.read_snapshot()
LAST = HISTORY[-1].report_date  # 22 Aug 2026
MODERATOR = 4242


def kyiv(day: date, hour: int, minute: int = 0) -> datetime:
    """HOUR:MINUTE on DAY in Kyiv (UTC+3 in August), as the clock the bot reads."""
    return datetime(day.year, day.month, day.day, hour - 3, minute, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sources() -> Iterator[FakeSources]:
    with FakeSources() as fake:
        yield fake


def stored_until(engine: Engine, last: date) -> None:
    with transaction(engine) as session:
        store_reports(session, [r for r in HISTORY if r.report_date <= last])


def newest(engine: Engine) -> date | None:
    with reading(engine) as session:
        report = queries.latest_report(session)
    return report.report_date if report else None


def bot(
    fake: FakeBotAPI, feeds: FakeSources, engine: Engine, clock: Clock, **settings: Any
) -> BotApplication:
    defaults: dict[str, Any] = {"sources": ("russianwarship",), "moderator_ids": frozenset({MODERATOR})}
    config = settings_for(fake, russianwarship_url=feeds.api_url, **(defaults | settings))
    return build_application(config, engine=engine, clock=clock, token=fake.token)


def to_moderator(what: str) -> Any:
    return lambda call: call.ok and call.chat_id == MODERATOR and what in str(call.params.get("text", ""))


def texts_to(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [
        str(c.params.get("text", ""))
        for c in fake.calls
        if c.method == "sendMessage" and c.chat_id == chat_id
    ]


async def test_at_start_it_catches_up_then_polls_every_few_minutes(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    stored_until(engine, LAST - timedelta(days=5))
    sources.publish(HISTORY[-30:])
    app = bot(fake, sources, engine, Clock(kyiv(LAST, 16)))  # after the window: only the catch-up runs
    async with polling(app):
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(POLL_JOB)
        assert job.job.trigger.interval == timedelta(minutes=3)
        await app.bot_data.morning.poll()
        assert newest(engine) == LAST
        requests = len(sources.requests)
        await app.bot_data.morning.poll()  # caught up, outside the window: nothing is asked
        assert len(sources.requests) == requests


async def test_in_the_window_the_report_is_stored_when_it_appears_and_not_asked_for_again(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    sources.publish(HISTORY[-10:-1])
    clock = Clock(kyiv(LAST, 8))
    app = bot(fake, sources, engine, clock)
    async with polling(app):
        morning = app.bot_data.morning
        await morning.poll()  # 08:00: the catch-up finds nothing new
        clock.now = kyiv(LAST, 8, 3)
        await morning.poll()  # not there yet
        assert newest(engine) == LAST - timedelta(days=1)
        sources.publish([HISTORY[-1]])  # it appears at 09:12
        clock.now = kyiv(LAST, 9, 15)
        [run] = await morning.poll()
        assert run.stored == [LAST] and run.source == "russianwarship"
        asked = len(sources.requests)
        clock.now = kyiv(LAST, 9, 18)
        assert await morning.poll() == []  # today's report is in: rest until tomorrow
        assert len(sources.requests) == asked
    # The poll that found nothing new sent the ETag back and got a 304; the one after 09:12 got the report.
    assert sources.statuses("/api/v2/statistics/latest") == [200, 304, 200]


async def test_a_report_failing_a_check_goes_to_the_moderators_and_publishing_keeps_its_source(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    wrong = dataclasses.replace(HISTORY[-1], totals={**HISTORY[-1].totals, "tanks": 12_000})
    sources.publish([*HISTORY[-5:-1], wrong])
    app = bot(fake, sources, engine, Clock(kyiv(LAST, 9)))
    async with polling(app):
        await app.bot_data.morning.poll()
        [offer] = await fake.wait_for_async(
            "sendMessage", to_moderator("not published automatically"), timeout=10
        )
        text = str(offer.params["text"])
        before = fmt.number(HISTORY[-2].totals["tanks"], "en")
        assert (
            "Fetched from russianwarship.rip" in text
            and f"Tanks: the total went down, {before} → 12,000" in text
        )
        assert newest(engine) == LAST - timedelta(days=1)  # held, not stored
        await app.bot_data.morning.poll()  # the next poll holds it again, but the moderator is told once
        assert sum("not published automatically" in t for t in texts_to(fake, MODERATOR)) == 1
        markup = offer.params["reply_markup"]
        publish = next(
            b for row in markup["inline_keyboard"] for b in row if b["callback_data"].startswith("mod:")
        )
        message_id = offer.result["message_id"]
        fake.inject_callback_query(MODERATOR, MODERATOR, message_id, publish["callback_data"])
        await fake.wait_for_async("sendMessage", to_moderator("This preview has errors"), timeout=10)
        force = publish["callback_data"].replace("mod:pub:", "mod:force:")
        fake.inject_callback_query(MODERATOR, MODERATOR, message_id, force)
        await fake.wait_for_async("sendMessage", to_moderator("Published the report"), timeout=10)
    with reading(engine) as session:
        report = queries.report_on(session, LAST)
    assert report is not None and report.source == "russianwarship"  # the fetched source, not "moderator"
    assert report.totals["tanks"] == 12_000


async def test_in_review_mode_nothing_is_stored_and_every_report_is_offered(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    sources.publish(HISTORY[-5:])
    app = bot(fake, sources, engine, Clock(kyiv(LAST, 9)), fetch_mode="review")
    async with polling(app):
        await app.bot_data.morning.poll()
        [offer] = await fake.wait_for_async(
            "sendMessage", to_moderator("not published automatically"), timeout=10
        )
        assert "Nothing unusual" in str(offer.params["text"])
    assert newest(engine) == LAST - timedelta(days=1)


async def test_no_report_by_the_end_of_the_window_tells_the_moderators_once(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    sources.publish(HISTORY[-5:-1])
    clock = Clock(kyiv(LAST, 13, 55))
    app = bot(fake, sources, engine, clock)
    async with polling(app):
        await app.bot_data.morning.poll()  # the last poll in the window: nothing new
        clock.now = kyiv(LAST, 14, 1)
        await app.bot_data.morning.poll()
        [note] = await fake.wait_for_async(
            "sendMessage", to_moderator("No report of 22 Aug 2026"), timeout=10
        )
        assert "russianwarship.rip: nothing after 21 Aug 2026" in str(note.params["text"])
        clock.now = kyiv(LAST, 14, 30)
        await app.bot_data.morning.poll()
    assert sum("No report of" in t for t in texts_to(fake, MODERATOR)) == 1


async def test_without_sources_nothing_is_scheduled(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    app = bot(fake, sources, engine, Clock(kyiv(LAST, 9)), sources=())
    async with polling(app):
        assert app.job_queue is not None and app.job_queue.get_jobs_by_name(POLL_JOB) == ()
    assert sources.requests == []


def test_the_window_and_mode_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FETCH_WINDOW", "06:30-12:00")
    monkeypatch.setenv("FETCH_MODE", "review")
    settings = Settings(_env_file=None)
    assert [t.isoformat(timespec="minutes") for t in settings.fetch_window] == ["06:30", "12:00"]
    assert settings.fetch_mode == "review"
    monkeypatch.setenv("FETCH_WINDOW", "14:00-07:00")
    with pytest.raises(ValueError, match="must start before it ends"):
        Settings(_env_file=None)


async def test_sources_failing_poll_after_poll_tell_the_moderators_once(
    fake: FakeBotAPI, sources: FakeSources, engine: Engine
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    sources.publish(HISTORY[-5:])
    sources.fail("/api/v2/", "status", status=503)
    clock = Clock(kyiv(LAST, 8))
    app = bot(fake, sources, engine, clock)
    async with polling(app):
        for minute in range(0, 30, 3):  # ten polls, every one failing
            clock.now = kyiv(LAST, 8, minute)
            await app.bot_data.morning.poll()
        [note] = await fake.wait_for_async("sendMessage", to_moderator("No source could be read"), timeout=10)
        assert "russianwarship.rip: failed: " in str(note.params["text"]) and "HTTP 503" in str(
            note.params["text"]
        )
        sources.heal()
        clock.now = kyiv(LAST, 8, 33)
        [run] = await app.bot_data.morning.poll()  # the source is back: the report comes in
        assert run.stored == [LAST]
    assert sum("No source could be read" in t for t in texts_to(fake, MODERATOR)) == 1
