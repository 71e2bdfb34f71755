"""The tests' databases: SQLite files by default, or PostgreSQL when TEST_DATABASE_URL names a server.

With TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@/lossbot?host=/tmp/pg&port=5433, as .ci/run
sets it), each new database is a fresh schema on that server, made the first in the connection's
search_path through the URL itself. So a test's URL still works wherever a URL goes (make_engine, the
DATABASE_URL of a subprocess), tests stay independent, and a schema costs a millisecond where CREATE
DATABASE costs tens. The schemas are dropped at the end of the run.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

#: The PostgreSQL server to test against, or None for SQLite.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None

#: How a query on a dropped table fails: the SQLAlchemy error's class, and words of the database's message.
MISSING_TABLE = (
    ("ProgrammingError", "does not exist") if TEST_DATABASE_URL else ("OperationalError", "no such table")
)

_counter = itertools.count(1)
_created: list[str] = []


def on_postgres() -> bool:
    return TEST_DATABASE_URL is not None


def sqlite_only(why: str) -> pytest.MarkDecorator:
    """Marks a test about SQLite itself (files, WAL …): skipped in the PostgreSQL run, saying WHY."""
    return pytest.mark.skipif(on_postgres(), reason=f"SQLite only: {why}")


def _execute(sql: str) -> None:
    assert TEST_DATABASE_URL is not None
    engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql))
    engine.dispose()


def new_database_url(tmp_path: Path, name: str = "test") -> str:
    """The URL of a new, empty database of this test's own (NAME names the SQLite file)."""
    if TEST_DATABASE_URL is None:
        return f"sqlite:///{tmp_path / name}.db"
    schema = f"t{os.getpid()}_{next(_counter)}"
    _execute(f"CREATE SCHEMA {schema}")
    _created.append(schema)
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def copy_database(url: str, tmp_path: Path, name: str = "copy") -> str:
    """A new database holding what the database at URL holds (for a test that writes to a shared one)."""
    copy = new_database_url(tmp_path, name)
    if TEST_DATABASE_URL is None:
        shutil.copyfile(url.removeprefix("sqlite:///"), copy.removeprefix("sqlite:///"))
        return copy
    from storage.db import make_engine  # migrates the new schema

    make_engine(copy).dispose()
    source, target = _schema_of(url), _schema_of(copy)
    statements = [
        f"INSERT INTO {target}.{t.name} SELECT * FROM {source}.{t.name}"
        for t in SQLModel.metadata.sorted_tables
    ]
    _execute("; ".join(statements))
    return copy


def _schema_of(url: str) -> str:
    options = str(make_url(url).query["options"])
    return options.removeprefix("-csearch_path=")


def drop_created() -> None:
    """Drop the schemas this run made (the server may be a developer's, not a throwaway)."""
    while _created:
        _execute(f"DROP SCHEMA IF EXISTS {_created.pop()} CASCADE")
