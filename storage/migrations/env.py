"""Alembic's environment, run by storage/migrate.py with an open connection (there is no alembic.ini).

The connection is handed over in `config.attributes`, so a migration runs on exactly the engine the bot
was given, whatever its URL (SQLite file, PostgreSQL with a search_path …).
"""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from storage import schema  # noqa: F401  (registers every table on SQLModel.metadata)


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes a column's type as the database's own (DateTime, String), not as one of
    storage/schema.py's TypeDecorators: a migration must keep meaning what it meant when written."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False  # the default rendering


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table, so one migration works on both.
    render_as_batch=True,
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
