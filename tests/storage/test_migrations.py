"""The migrations (storage/migrations/) and start-up's check of the schema's revision.

Run on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (see tests/support/databases.py).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from bot.cli.main import main
from storage import migrate, queries
from storage import schema as _schema  # noqa: F401  (registers the tables)
from storage.db import make_engine, reading
from tests.support import databases

#: The tables of the first revision: what `create_all` made before migrations existed.
FIRST_TABLES = (
    "report",
    "figure",
    "chat_prefs",
    "report_revision",
    "pending_preview",
    "subscription",
    "delivery_post",
    "delivery",
)


def create_first_tables(engine: Engine) -> None:
    """`create_all` as it was at the first revision (later tables came with their migrations), and the
    later tables those refer to by a later column (delivery.digest_id → digest_post): PostgreSQL refuses
    a foreign key to a missing table. The comparison below looks at the first revision's tables only."""
    first = [t for t in SQLModel.metadata.sorted_tables if t.name in FIRST_TABLES]
    referred = {fk.column.table for t in first for fk in t.foreign_keys}
    tables = [t for t in SQLModel.metadata.sorted_tables if t in first or t in referred]
    SQLModel.metadata.create_all(engine, tables=tables)


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_the_migrated_schema_is_exactly_the_models(engine: Engine) -> None:
    """The `engine` fixture's database was migrated from empty by start-up: autogenerate finds nothing
    to add, drop or change (columns, types, nullability, indexes, unique and foreign keys)."""
    assert differences(engine) == []
    with engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()


#: Columns the models have that later migrations added (create_all makes them; the first revision has not).
ADDED_SINCE_THE_FIRST: dict[str, set[str]] = {
    "subscription": {"lang", "digests"},
    "delivery": {"digest_id", "markup", "photo"},
}


def test_the_first_migration_is_the_schema_create_all_made(tmp_path: Path) -> None:
    """A database of the first revision is what `create_all` made before migrations (same tables, same
    columns): the reason a database of that time can be adopted by `lossbot migrate`."""
    old = make_engine(databases.new_database_url(tmp_path, "old"), prepare=False)
    create_first_tables(old)
    first = make_engine(databases.new_database_url(tmp_path, "first"), prepare=False)
    migrate.upgrade(first, migrate.INITIAL)
    with old.connect() as a, first.connect() as b:
        made = {t: columns for t, columns in migrate.table_columns(a).items() if t in FIRST_TABLES}
        for table, columns in ADDED_SINCE_THE_FIRST.items():
            made[table] -= columns
        assert made == migrate.table_columns(b)
    old.dispose()
    first.dispose()


def insert_one_of_everything(engine: Engine) -> None:
    """Rows in every table, written in SQL as the first revision's schema has them (not through the
    models, which follow the newest schema)."""
    at = "2024-10-25 06:00:00+00:00"
    statements = [
        f"INSERT INTO report VALUES ('2024-10-25', 'test', NULL, '{at}', 1)",
        "INSERT INTO figure VALUES ('2024-10-25', 'personnel', 686950, 1560, 1560)",
        "INSERT INTO figure VALUES ('2024-10-25', 'tanks', 9022, NULL, 8)",
        f"INSERT INTO chat_prefs VALUES (-1001234567890123, 'uk', '{at}')",
        f"INSERT INTO report_revision VALUES (1, '2024-10-25', 2, 42, '{at}', 'publish', 'text', '{{}}')",
        f"INSERT INTO pending_preview VALUES (1, 7, 42, '{at}', '2024-10-25', 'correct', 'text', "
        "'{\"totals\": {}}', false, 'abc', 'pending', NULL, NULL)",
        f"INSERT INTO subscription VALUES (7, 'private', NULL, true, 'both', '09:00', 'Europe/Kyiv', 10, 5, "
        f"'{at}', '{at}', NULL)",
        f"INSERT INTO delivery_post VALUES (1, '2024-10-25', '{at}', '{at}', 1)",
        f"INSERT INTO delivery VALUES (1, 1, 7, 'summary', 'send', 'sent', 'hello', 1, 99, 1, '{at}', NULL, "
        f"NULL, NULL, '{at}', '{at}', NULL)",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in FIRST_TABLES
        }


def test_upgrading_a_first_revision_database_keeps_every_row(tmp_path: Path) -> None:
    url = databases.new_database_url(tmp_path)
    engine = make_engine(url, prepare=False)
    migrate.upgrade(engine, migrate.INITIAL)
    insert_one_of_everything(engine)
    before = counts(engine)
    assert migrate.upgrade(engine) == (migrate.INITIAL, migrate.head())
    assert counts(engine) == before and set(before.values()) != {0}
    engine.dispose()
    engine = make_engine(url)  # start-up accepts it now
    with reading(engine) as session:
        report = queries.report_on(session, date(2024, 10, 25))
        standings = queries.standings(session, date(2024, 10, 25))
    assert report is not None and report.totals == {"personnel": 686950, "tanks": 9022}
    # The ranks stored with the figures were derived from the figures already there.
    assert list(standings) == ["personnel"] and standings["personnel"].every.out_of == 1
    assert differences(engine) == []
    engine.dispose()


def legacy_database(tmp_path: Path) -> str:
    """A database as lossbot made it before migrations: `create_all` of that time (the first revision's
    tables, which the first test above shows are the same), data, no version table."""
    url = databases.new_database_url(tmp_path, "legacy")
    engine = make_engine(url, prepare=False)
    migrate.upgrade(engine, migrate.INITIAL)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    insert_one_of_everything(engine)
    engine.dispose()
    return url


def test_start_up_sends_an_older_database_to_lossbot_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = legacy_database(tmp_path)
    with pytest.raises(migrate.SchemaError, match=r"is older than this lossbot's.*run `lossbot migrate`"):
        make_engine(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["export"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the database's schema") and "Traceback" not in err

    assert main(["migrate"]) == 0
    assert f"from revision none to {migrate.head()}" in capsys.readouterr().out
    engine = make_engine(url)
    assert counts(engine)["figure"] == 2 and differences(engine) == []
    engine.dispose()
    assert main(["migrate"]) == 0
    assert "already at revision" in capsys.readouterr().out


def test_start_up_and_migrate_refuse_a_newer_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = databases.new_database_url(tmp_path)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    engine.dispose()
    with pytest.raises(migrate.SchemaError, match=r"newer than this lossbot's.*upgrade lossbot"):
        make_engine(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    for command in (["ask", "/totals"], ["migrate"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "upgrade lossbot" in err and "Traceback" not in err


def test_migrate_refuses_tables_that_are_not_lossbots(tmp_path: Path) -> None:
    url = databases.new_database_url(tmp_path)
    engine = make_engine(url, prepare=False)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE report (report_date DATE PRIMARY KEY)"))
    with pytest.raises(migrate.SchemaError, match="not those of lossbot's first schema"):
        migrate.upgrade(engine)
    with engine.connect() as connection:
        assert migrate.current(connection) is None  # nothing was stamped
    engine.dispose()


def test_a_first_start_on_an_empty_database_answers_from_the_embedded_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", databases.new_database_url(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "/totals"]) == 0
    assert "Personnel" in capsys.readouterr().out


@pytest.mark.skipif(
    not databases.on_postgres(), reason="several instances share a PostgreSQL; SQLite serves one instance"
)
def test_instances_starting_at_once_on_an_empty_database_migrate_and_load_it_once(tmp_path: Path) -> None:
    url = databases.new_database_url(tmp_path)
    code = (
        "import sys; from storage.db import make_engine; from bot.sources import snapshot; "
        "print(snapshot.load_if_empty(make_engine(sys.argv[1])))"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    results = [start.communicate(timeout=120) for start in starts]
    assert [start.returncode for start in starts] == [0] * 4, [err.decode()[-500:] for _, err in results]
    loaded = sorted(int(out) for out, _ in results)
    assert loaded[:3] == [0, 0, 0] and loaded[3] > 1600


def test_the_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert migrate.head() == ScriptDirectory.from_config(migrate._config()).get_current_head()
