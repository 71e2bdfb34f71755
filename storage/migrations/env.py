"""Alembic's environment, run by storage/migrate.py with an open connection (there is no alembic.ini).

The connection is handed over in `config.attributes`, so a migration runs on exactly the engine the bot
was given, whatever its URL (SQLite file, PostgreSQL with a search_path …).
"""

from alembic import context
from sqlmodel import SQLModel

from storage import schema  # noqa: F401  (registers every table on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table, so one migration works on both.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
