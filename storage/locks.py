"""One transaction at a time, where the code relies on it.

SQLite lets one transaction write at a time: a transaction whose first statement is a write waits for the
one before it to commit, then reads everything it wrote. PostgreSQL runs both at once, each statement
seeing what was committed just before it, so a check-then-write that is safe on SQLite can race there.
`exclusive` takes a transaction-scoped advisory lock on PostgreSQL (released at commit or rollback) to give
such transactions SQLite's order; on SQLite it does nothing.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import Connection, func, select
from sqlmodel import Session


class Lock(IntEnum):
    """The advisory lock keys (any constants unique to lossbot's uses of them)."""

    #: Migrating: two instances starting on one empty database must not both create the tables.
    MIGRATION = 0x6C6F_7373_0001
    #: A moderator's publish or cancel reads what the previous one committed (bot/moderation/workflow.py).
    MODERATION = 0x6C6F_7373_0002
    #: The embedded history is loaded into an empty database once, however many instances start.
    FIRST_LOAD = 0x6C6F_7373_0003


def exclusive(connection: Session | Connection, lock: Lock) -> None:
    """Wait until no other transaction holds LOCK, and hold it until this one ends."""
    dialect = connection.dialect if isinstance(connection, Connection) else connection.get_bind().dialect
    if dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(int(lock))))
