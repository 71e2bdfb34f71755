"""What several benchmarks share: a scratch database (a SQLite file, or a schema of its own on a PostgreSQL
server given by --database-url), the broadcast's subscribers, and percentiles.

    --database-url postgresql+psycopg://postgres@/lossbot_bench?host=/tmp/pg&port=55442

On PostgreSQL each run gets a fresh schema, made the first in the connection's search_path through the URL
itself (as tests/support/databases.py does for the tests), so the URL works wherever a URL goes: an engine
in the benchmark, or the DATABASE_URL of a `lossbot run` subprocess. The schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage import delivery as store
from storage.db import transaction
from storage.schema import Receive

#: Subscribers of the broadcast benchmarks are chats 100,000 …; users asking things are below.
SUBSCRIBERS = 100_000
#: Telegram's limit per bot token, messages per second.
LIMIT = 30.0


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or None,
        help="a PostgreSQL server to run on (a scratch schema is made and dropped); default: a SQLite "
        "file in a temporary directory (env BENCH_DATABASE_URL)",
    )


def database_kind(url: str) -> str:
    return "PostgreSQL" if make_url(url).get_backend_name() == "postgresql" else "SQLite"


def _execute(server: str, sql: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


@contextmanager
def scratch_database(server: str | None, tmp: Path, name: str) -> Iterator[str]:
    """The URL of a new, empty database: NAME.db in TMP, or a new schema on the PostgreSQL SERVER."""
    if server is None:
        yield f"sqlite:///{tmp / name}.db"
        return
    schema = f"bench_{os.getpid()}_{name}"
    _execute(server, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    try:
        yield (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        _execute(server, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def subscribe(engine: Engine, n: int, now: datetime) -> None:
    """N private chats (SUBSCRIBERS …) subscribed a day before NOW to the daily summary."""
    with transaction(engine) as session:
        for chat_id in range(SUBSCRIBERS, SUBSCRIBERS + n):
            store.subscribe(session, chat_id, chat_type="private", now=now - timedelta(days=1))
            store.update_settings(session, chat_id, receive=Receive.SUMMARY)


def percentile(values: list[float], p: float) -> float:
    """The P-quantile (0…1) of VALUES, nearest rank; nan when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def machine_load() -> str:
    """`uptime`'s load averages, to print beside the figures (the machine is shared)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "uptime unavailable"
