"""Shared fixtures: the reference data in ../shared (skipped with a reason when absent) and real databases."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from telegram.ext import ExtBot

from bot.services import DEFAULTS
from bot.sources import loader, snapshot
from storage.db import make_engine, transaction
from storage.writes import store_reports
from tests.support import databases
from tests.support.fakebotapi import FakeBotAPI

# PTB 22.8 warns (an error under our warning filter) when it builds RetryAfter with an int retry_after
# unless told to use timedeltas, which the bot does too (bot/cli.py).
os.environ.setdefault("PTB_TIMEDELTA", "1")

SHARED = Path(__file__).resolve().parents[2] / "shared"
PETROIVANIUK = SHARED / "data" / "petroivaniuk"
ORC_LOSSES = SHARED / "data" / "orc-losses" / "russian-losses.json"
RUSSIANWARSHIP = SHARED / "data" / "russianwarship-api-sample.json"


def need_shared() -> Path:
    if not PETROIVANIUK.is_dir():
        pytest.skip(f"reference data not found at {SHARED} (clone the project beside ../shared)")
    return SHARED


@pytest.fixture
def shared() -> Path:
    return need_shared()


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    databases.drop_created()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of this test's own: a SQLite file as the bot uses it, or a PostgreSQL schema
    when TEST_DATABASE_URL is set (see tests/support/databases.py)."""
    eng = make_engine(databases.new_database_url(tmp_path))
    yield eng
    eng.dispose()


def fill_full_history(url: str) -> None:
    """PetroIvaniuk's full history, then orc-losses for the days after it ends (needs ../shared)."""
    engine = make_engine(url)
    with transaction(engine) as session:
        for batch in loader.load([PETROIVANIUK, ORC_LOSSES]):
            store_reports(session, batch.reports)
    engine.dispose()


@pytest.fixture(scope="session")
def full_history_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a database holding the full real history (built once per test run).

    It is the embedded snapshot, so these tests run in a clone without ../shared too;
    tests/sources/test_snapshot.py checks that the snapshot is exactly that import of the datasets."""
    url = databases.new_database_url(tmp_path_factory.mktemp("history"), "history")
    engine = make_engine(url)
    snapshot.load_if_empty(engine)
    engine.dispose()
    return url


@pytest.fixture
def full_history(full_history_url: str) -> Iterator[Engine]:
    eng = make_engine(full_history_url)
    yield eng
    eng.dispose()


@pytest.fixture
def history_copy(full_history_url: str, tmp_path: Path) -> str:
    """The full history in a database of this test's own (the bot writes to it: /lang, subscriptions)."""
    return databases.copy_database(full_history_url, tmp_path, "history")


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[FakeBotAPI]:
    """The loopback fake Bot API; with Telegram's flood limits in a test marked `rate_limits`."""
    with FakeBotAPI(rate_limits=request.node.get_closest_marker("rate_limits") is not None) as server:
        yield server


@pytest.fixture
async def tg(fake: FakeBotAPI) -> AsyncIterator[ExtBot[Any]]:
    """A bot as the running one is: with its Defaults (HTML, no link previews), against `fake`."""
    async with ExtBot(fake.token, base_url=fake.base_url, defaults=DEFAULTS) as bot:
        yield bot
