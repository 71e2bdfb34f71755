"""`lossbot migrate`: bring the database's schema to this lossbot's (storage/migrations/)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings
from storage import migrate
from storage.db import make_engine


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    # Not prepared: start-up's check refuses exactly the databases this command is for.
    engine = make_engine(settings.database_url, prepare=False)
    try:
        if args.status:
            with engine.connect() as connection:
                revision = migrate.current(connection)
            print(f"database at revision {revision or 'none'}; this lossbot's is {migrate.head()}")
            return 0
        before, after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"the database is already at revision {after}: nothing to do")
    else:
        print(f"migrated the database from revision {before or 'none'} to {after}")
    return 0


def add_cli_commands(sub: Any) -> None:
    p = sub.add_parser(
        "migrate", help="upgrade the database's schema to this version's (back the database up first)"
    )
    p.add_argument("--status", action="store_true", help="only print the database's revision and the code's")
    p.set_defaults(func=cmd_migrate)
