"""Engines and sessions. SQLite gets WAL and a busy timeout; nothing here is needed for PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, event, insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

# Importing the modules that define tables registers them on SQLModel.metadata (tests create_all with it).
from storage import migrate, schema  # noqa: F401

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, *, prepare: bool = True) -> Engine:
    """An engine for URL. When PREPARE, an empty database is migrated to the current schema and any other
    must already be at it (`migrate.SchemaError` says what to do otherwise)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        # The bot runs queries in worker threads; each connection is used by one thread at a time.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if prepare:
        try:
            migrate.prepare(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers and one writer at once
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(
            "PRAGMA synchronous=NORMAL"
        )  # safe with WAL; a power cut loses at most the last commit
    finally:
        cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed as one transaction, or rolled back entirely on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


#: The key of `Session.info` under which a reading session keeps what storage.queries read once in it.
READ_MEMO = "lossbot.read_memo"


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for queries only. Its reads are one transaction (one snapshot of the store), so a value
    such as the newest report's date is read once per session (`memoized`), however many parts of an
    answer ask for it."""
    with Session(engine, expire_on_commit=False) as session:
        session.info[READ_MEMO] = {}
        yield session


def memoized(session: Session, key: str, read: Callable[[], T]) -> T:
    """READ's value, read once per reading session (every time in a writing one: it may change there)."""
    memo: dict[str, Any] | None = session.info.get(READ_MEMO)
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    value: T = memo[key]
    return value


def bulk_insert(
    session: Session | Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ROWS (value tuples in the order of COLUMNS) with one driver `executemany`.

    SQLAlchemy's own executemany builds a parameter dict per row (about 10 µs each): most of an import's
    time with tens of thousands of rows. Here the statement is compiled once and each column's value is
    converted by its type's bind processor, as SQLAlchemy would, so the stored values are the same."""
    if not rows:
        return
    connection = session.connection() if isinstance(session, Session) else session
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    # The driver's order of the parameters (a positional paramstyle), or their names.
    names = list(compiled.positiontup or ()) if compiled.positional else list(columns)
    where = [list(columns).index(name) for name in names]
    converters = [
        (i, convert)
        for i, name in enumerate(names)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    values = [[row[i] for i in where] for row in rows]
    for i, convert in converters:
        for row in values:
            if row[i] is not None:
                row[i] = convert(row[i])
    params: list[Any] = (
        [tuple(row) for row in values]
        if compiled.positional
        else [dict(zip(names, row, strict=True)) for row in values]
    )
    connection.exec_driver_sql(compiled.string, params)
