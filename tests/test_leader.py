"""Several instances on one PostgreSQL: one leads (runs the jobs, sends the outbox) at a time, and another
takes over when it dies. The broadcast test runs two real `lossbot run --webhook` processes on one
database against the fake Bot API and kills the leader in the middle: every message arrives once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.domain.dates import utc_now
from bot.leader import Leadership
from storage import delivery as store
from storage.db import make_engine, reading, transaction
from storage.schema import DeliveryState
from tests.support import databases, delivery_fixtures
from tests.support.fakebotapi import FakeBotAPI
from tests.support.running import instance_env, start_instance

WAIT = 60.0  # the most any step may take before the test fails (not a measured expectation)
CHATS = 150

postgres_only = pytest.mark.skipif(
    not databases.on_postgres(), reason="several instances need PostgreSQL (set TEST_DATABASE_URL)"
)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll CONDITION until it holds (a deadline for a failing test, not a timing the test relies on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


async def test_on_sqlite_the_single_instance_leads(engine: Engine) -> None:
    if databases.on_postgres():
        pytest.skip("SQLite only: a single instance leads without a lock")
    leader = Leadership(engine)
    await leader.start()
    assert leader.leads()
    await leader.stop()


@postgres_only
async def test_one_instance_leads_and_the_next_takes_over_when_it_stops(engine: Engine) -> None:
    first, second = Leadership(engine, retry_seconds=0.05), Leadership(engine, retry_seconds=0.05)
    await first.start()
    await second.start()
    try:
        assert first.leads() and not second.leads()
        took_over = []

        async def on_lead() -> None:
            took_over.append(True)

        second.on_lead = on_lead
        await first.stop()  # its session ends, and the lock with it
        for _ in range(200):
            if second.leads():
                break
            await asyncio.sleep(0.05)
        assert second.leads() and took_over == [True]
        assert not first.leads()
    finally:
        await first.stop()
        await second.stop()


def sent_rows(engine: Engine) -> int:
    with reading(engine) as session:
        return sum(1 for row in store.deliveries(session) if row.state == DeliveryState.SENT)


@pytest.fixture
def broadcast_db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """CHATS subscribers, then a report of today: the leader's first tick broadcasts it."""
    url = databases.new_database_url(tmp_path, "instances")
    engine = make_engine(url)
    with transaction(engine) as session:
        for chat_id in range(10_001, 10_001 + CHATS):
            store.subscribe(session, chat_id, chat_type="private", now=utc_now() - timedelta(minutes=5))
    today = utc_now().astimezone(ZoneInfo("Europe/Kyiv")).date()
    delivery_fixtures.store(engine, delivery_fixtures.reports(last=today))
    yield url, engine
    engine.dispose()


@postgres_only
def test_two_instances_through_a_broadcast_and_the_leaders_death(
    broadcast_db: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = broadcast_db
    logs = tmp_path / "a.log", tmp_path / "b.log"
    with FakeBotAPI() as fake, logs[0].open("wb") as log_a, logs[1].open("wb") as log_b:
        env = instance_env(url, fake)
        leader = start_instance(env, log_a)
        follower: subprocess.Popen[bytes] | None = None
        try:
            fake.wait_for("sendMessage", timeout=WAIT)  # alone, it leads: the broadcast has begun
            follower = start_instance(env, log_b)
            fake.wait_for("setWebhook", timeout=WAIT, count=2)  # the second instance is up
            fake.wait_for("sendMessage", timeout=WAIT, count=40)
            # Kill the leader where no message can be half sent: Telegram stops accepting, and every
            # message it accepted is marked sent (a message accepted but not yet marked when its sender
            # dies is sent again: the at-least-once window the lease keeps to one claim).
            fake.set_method_fault("sendMessage", ("server_error", 502))
            accepted = lambda: sum(1 for c in fake.calls_of("sendMessage") if c.ok)  # noqa: E731
            wait_until(lambda: sent_rows(engine) == accepted(), "the leader to mark what it sent")
            leader.send_signal(signal.SIGKILL)
            leader.wait(WAIT)
            fake.clear_faults()
            with reading(engine) as session:
                owed_at_death = store.owed(session)
            assert owed_at_death > 0  # the follower has work left to take over
            wait_until(lambda: owed(engine) == 0, "the follower to send the rest", timeout=WAIT * 2)
        finally:
            for process in (leader, follower):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(WAIT)
        with reading(engine) as session:
            rows = store.deliveries(session)
        accepted_calls = [c for c in fake.calls_of("sendMessage") if c.ok]
    assert {row.state for row in rows} == {DeliveryState.SENT}
    assert {row.chat_id for row in rows} == set(range(10_001, 10_001 + CHATS))
    # Nothing lost, nothing twice: each outbox row reached its chat exactly once.
    assert sorted((c.chat_id, c.params["text"]) for c in accepted_calls) == sorted(
        (row.chat_id, row.text) for row in rows
    )
    assert "this instance leads" in logs[1].read_text()


def owed(engine: Engine) -> int:
    with reading(engine) as session:
        return store.owed(session)
