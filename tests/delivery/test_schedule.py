"""The schedule: DST-safe due times (plain functions) and the periodic job on a fake clock (real SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.delivery import schedule
from bot.delivery.broadcaster import Broadcaster
from storage import delivery as store
from storage.db import transaction
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports

KYIV = ZoneInfo("Europe/Kyiv")
SPRING = date(2025, 3, 30)  # Kyiv: 03:00 → 04:00
AUTUMN = date(2025, 10, 26)  # Kyiv: 04:00 → 03:00


def test_due_at_regular_and_dst_days() -> None:
    assert schedule.due_at(date(2025, 6, 1), time(8, 0), KYIV) == datetime(2025, 6, 1, 5, 0, tzinfo=UTC)
    # 03:30 happens twice on the fall-back day: the first one (summer time) is the one.
    assert schedule.due_at(AUTUMN, time(3, 30), KYIV) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    # 03:30 does not exist on the spring-forward day: shifted past the gap, 04:30 summer time.
    assert schedule.due_at(SPRING, time(3, 30), KYIV) == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert schedule.due_at(SPRING, time(2, 30), KYIV) == datetime(2025, 3, 30, 0, 30, tzinfo=UTC)


def test_parse_time() -> None:
    assert schedule.parse_time("8:30") == time(8, 30)
    assert schedule.parse_time("08.05") == time(8, 5)
    assert schedule.parse_time("24:00") is None
    assert schedule.parse_time("noon") is None


def _count_over_day(engine: Engine, day: date, send_at: str, step: timedelta) -> list[datetime]:
    """Run the periodic job every STEP over local DAY (and the next morning) for a chat at SEND_AT;
    return the fake times at which it queued the chat's summary."""
    report_day = day - timedelta(days=1)
    store_reports(engine, reports(last=report_day))
    clock_now = [datetime.combine(report_day, time(12), tzinfo=KYIV).astimezone(UTC)]
    broadcaster = Broadcaster(engine, KYIV, clock=lambda: clock_now[0])
    with transaction(engine) as session:
        store.subscribe(session, 7, chat_type="private", now=clock_now[0] - timedelta(days=2))
        store.update_settings(session, 7, send_at=send_at, receive="summary")
    queued_at = []
    end = datetime.combine(day + timedelta(days=1), time(12), tzinfo=KYIV).astimezone(UTC)
    while clock_now[0] < end:
        with transaction(engine) as session:
            if broadcaster.tick(session):
                queued_at.append(clock_now[0])
        clock_now[0] += step
    return queued_at


def test_fall_back_day_posts_once_at_the_first_0330(engine: Engine) -> None:
    queued = _count_over_day(engine, AUTUMN, "03:30", timedelta(minutes=10))
    assert [q.astimezone(KYIV).strftime("%d %H:%M %Z") for q in queued] == ["26 03:30 EEST"]


def test_spring_forward_day_posts_once(engine: Engine) -> None:
    queued = _count_over_day(engine, SPRING, "03:30", timedelta(minutes=10))
    assert [q.astimezone(KYIV).strftime("%d %H:%M %Z") for q in queued] == ["30 04:30 EEST"]


def test_spring_forward_day_0230_posts_once(engine: Engine) -> None:
    queued = _count_over_day(engine, SPRING, "02:30", timedelta(minutes=10))
    assert [q.astimezone(KYIV).strftime("%d %H:%M %Z") for q in queued] == ["30 02:30 EET"]


def test_bot_down_at_the_time_sends_when_back_the_same_day(engine: Engine) -> None:
    report_day = date(2025, 6, 1)
    store_reports(engine, reports(last=report_day))
    now = [datetime(2025, 6, 1, 10, 0, tzinfo=KYIV)]
    broadcaster = Broadcaster(engine, KYIV, clock=lambda: now[0])
    with transaction(engine) as session:
        store.subscribe(session, 7, chat_type="private", now=now[0] - timedelta(days=1))
        store.update_settings(session, 7, send_at="08:00")
        assert broadcaster.tick(session) == 0  # the report is known from 10:00; 08:00 has passed
    now[0] = datetime(2025, 6, 2, 15, 0, tzinfo=KYIV)  # down at 08:00 the next day; back at 15:00
    with transaction(engine) as session:
        assert broadcaster.tick(session) == 2  # summary and alert
        assert broadcaster.tick(session) == 0  # the database says it is queued: never twice


def test_new_report_detection_only_latest_and_recent(engine: Engine) -> None:
    store_reports(engine, reports(last=date(2024, 10, 25)))
    now = [datetime(2025, 6, 1, 10, 0, tzinfo=KYIV)]
    broadcaster = Broadcaster(engine, KYIV, clock=lambda: now[0])
    with transaction(engine) as session:
        store.subscribe(session, 7, chat_type="private", now=now[0] - timedelta(days=1))
        assert broadcaster.tick(session) == 0  # first start on an old history: nothing is broadcast
        assert store.latest_post(session) is None
    # `lossbot import` brings a report of today: the next tick notices it and queues it.
    store_reports(engine, reports(last=date(2025, 6, 1), days=40))  # enough days for a rank alert
    with transaction(engine) as session:
        assert broadcaster.tick(session) == 2
        post = store.latest_post(session)
        assert post is not None and post.report_date == date(2025, 6, 1)
        assert {(d.chat_id, d.kind, d.state) for d in store.deliveries(session)} == {
            (7, "summary", "pending"),
            (7, "alert", "pending"),
        }


def test_a_report_from_the_future_is_never_broadcast(engine: Engine) -> None:
    """However it was stored (an import's day of grace, a hand-edited database), a report dated after
    today is not today's: nothing is queued until its day has come."""
    store_reports(engine, reports(last=date(2025, 6, 2), days=40))  # enough days for a rank alert
    now = [datetime(2025, 6, 1, 10, 0, tzinfo=KYIV)]
    broadcaster = Broadcaster(engine, KYIV, clock=lambda: now[0])
    with transaction(engine) as session:
        store.subscribe(session, 7, chat_type="private", now=now[0] - timedelta(days=1))
        assert broadcaster.tick(session) == 0 and store.latest_post(session) is None
    now[0] = datetime(2025, 6, 2, 0, 30, tzinfo=KYIV)
    with transaction(engine) as session:
        assert broadcaster.tick(session) == 2
