"""The schema's version: Alembic migrations (storage/migrations/), applied by `lossbot migrate`.

Start-up (`storage.db.make_engine`) calls `prepare`: an empty database is migrated at once, so a first
start just works; any other database must already be at the code's revision. Migrating a database
that holds data is the operator's decision (a backup first), hence `lossbot migrate`, never implicit.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, inspect, text

from storage import locks

if TYPE_CHECKING:  # Alembic is imported where a migration runs: a start-up at the head never needs it
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: The first revision: the schema as it was when `create_all` made it on every start.
INITIAL = "0001"
VERSION_TABLE = "alembic_version"


class SchemaError(Exception):
    """The database's schema is not the one this code was written for; the message says what to do."""


def _config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, made here rather than read from an alembic.ini: the migrations ship in
    the package, and the connection is the one the caller opened."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    config.attributes["connection"] = connection  # read by migrations/env.py
    return config


VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


def _assigned(path: Path, name: str) -> set[str]:
    """The revision ids a migration file assigns to NAME (`revision`, `down_revision`: one, a tuple, None)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            value = ast.literal_eval(node.value)
            return {v for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, str)}
    return set()


def head() -> str:
    """The revision this code expects: the one no migration names as its down_revision.

    Read from the migration files' assignments rather than through Alembic's ScriptDirectory, whose
    import (Mako, Pygments …) is about a sixth of every start-up; tests/storage/test_migrations.py
    checks that both agree."""
    files = [p for p in VERSIONS.glob("*.py") if p.name != "__init__.py"]
    revisions = set().union(*(_assigned(p, "revision") for p in files))
    downs = set().union(*(_assigned(p, "down_revision") for p in files))
    heads = revisions - downs
    assert len(heads) == 1, f"storage/migrations/versions has no single head: {sorted(heads)}"
    return heads.pop()


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def current(connection: Connection) -> str | None:
    """The database's revision; None when it has never been migrated (read as Alembic stores it)."""
    if VERSION_TABLE not in inspect(connection).get_table_names():
        return None
    found: str | None = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return found


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {VERSION_TABLE}


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to REVISION; gives the revisions before and after.

    A database made before migrations existed (the tables of the first revision, no version table) is
    first marked as being at that revision, after checking that its tables and columns are those."""
    from alembic import command

    with engine.begin() as connection:
        # Two instances starting on one empty database: the second waits here, then finds it migrated
        # (PostgreSQL's DDL is transactional: the tables appear at the commit, with the version).
        locks.exclusive(connection, locks.Lock.MIGRATION)
        before = current(connection)
        _refuse_newer(before)
        if before is None and _tables(connection):
            _check_unversioned(connection)
            command.stamp(_config(connection), INITIAL)
        command.upgrade(_config(connection), revision)
        return before, current(connection) or ""


def table_columns(connection: Connection) -> dict[str, set[str]]:
    """The column names of each of lossbot's tables."""
    found = inspect(connection)
    return {table: {c["name"] for c in found.get_columns(table)} for table in _tables(connection)}


def _check_unversioned(connection: Connection) -> None:
    """Refuse to mark a database as being at the first revision unless it has that revision's tables."""
    from alembic import command

    scratch = create_engine("sqlite://")
    with scratch.begin() as fresh:
        command.upgrade(_config(fresh), INITIAL)
        expected = table_columns(fresh)
    scratch.dispose()
    if table_columns(connection) != expected:
        raise SchemaError(
            "the database has tables but no migration history, and they are not those of lossbot's first "
            "schema: it was not made by lossbot, or by a version too old to migrate"
        )


def prepare(engine: Engine) -> None:
    """At start-up: migrate an empty database; refuse one whose schema is not the code's."""
    with engine.begin() as connection:
        # Read while no one migrates: PostgreSQL's statements each see the latest commit, and the version
        # read before another instance's migration commits with its tables read after would look like a
        # database made before migrations.
        locks.exclusive(connection, locks.Lock.MIGRATION)
        revision = current(connection)
        empty = revision is None and not _tables(connection)
    if empty:
        upgrade(engine)
        return
    expected = head()
    if revision == expected:
        return
    _refuse_newer(revision)
    raise SchemaError(
        f"the database's schema (revision {revision or 'none, made before migrations'}) is older than "
        f"this lossbot's ({expected}): back it up, then run `lossbot migrate`"
    )


def _refuse_newer(revision: str | None) -> None:
    """A revision this code does not know was made by a newer lossbot: never touch such a database."""
    if revision is not None and revision not in {s.revision for s in _script().walk_revisions()}:
        raise SchemaError(
            f"the database's schema (revision {revision}) is newer than this lossbot's ({head()}): "
            "upgrade lossbot"
        )


def new_revision(message: str) -> None:
    """Write the next migration: what the models have that the newest revision's schema lacks, found by
    autogenerate against a scratch database at that revision. Review it before committing."""
    from alembic import command

    scratch = create_engine("sqlite://")
    with scratch.begin() as connection:
        command.upgrade(_config(connection), "head")
        following = f"{int(head()[:4]) + 1:04d}"
        command.revision(_config(connection), message=message, autogenerate=True, rev_id=following)
    scratch.dispose()


if __name__ == "__main__":  # python -m storage.migrate "what changed"
    if len(sys.argv) < 2:
        sys.exit("usage: python -m storage.migrate WHAT_CHANGED")
    new_revision(" ".join(sys.argv[1:]))
