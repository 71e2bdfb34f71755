"""`lossbot fetch`: ask the live sources once, store what passes the checks, and say what changed."""

from __future__ import annotations

import argparse
import asyncio
import html
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.config import KNOWN_SOURCES, Settings
from bot.moderation.intake import Progress, SourceRun, fetch_new
from bot.moderation.workflow import finding_text
from bot.sources.live import Http, configured_sources, http_client
from storage.db import make_engine

#: A catch-up longer than this many reports prints its progress.
PROGRESS_FROM = 20


def progress_line(out: Any = sys.stderr) -> Progress:
    """Progress of a long catch-up, on one line that is rewritten: "catch-up: 120 / 400 reports"."""

    def show(done: int, todo: int) -> None:
        if todo >= PROGRESS_FROM and (done == todo or done % 10 == 0):
            end = "\n" if done == todo else ""
            print(f"\rcatch-up: {done} / {todo} reports checked", end=end, file=out, flush=True)

    return show


def describe(run: SourceRun) -> list[str]:
    """What one source gave, as lines for a terminal."""
    since = f"after {run.after}" if run.after else "(the store was empty)"
    if run.error:
        return [f"{run.source}: failed, nothing stored from it: {run.error}"]
    lines = [f"{run.source} ({run.url}): {run.fetched} reports {since}"]
    if run.stored:
        lines.append(f"  stored {len(run.stored)}: {_dates(run.stored)}")
    if run.unchanged:
        lines.append(f"  already stored as fetched: {_dates(run.unchanged)}")
    if run.conflicts:
        lines.append(f"  kept as stored (another source differs): {_dates(run.conflicts)}")
    for held in run.held:
        why = "; ".join(html.unescape(finding_text(f, "en")) for f in held.findings)
        lines.append(f"  held for moderators, {held.report.report_date}: {why}")
    return lines


def _dates(days: list[date]) -> str:
    shown = ", ".join(d.isoformat() for d in days[:8])
    return shown + (f" … and {len(days) - 8} more" if len(days) > 8 else "")


async def fetch_once(settings: Settings, args: argparse.Namespace) -> list[SourceRun]:
    sources = configured_sources(settings, only=args.source, url=args.url)
    engine = make_engine(settings.database_url)
    try:
        async with http_client(settings) as client:
            return await fetch_new(
                engine,
                sources,
                Http(client),
                today=settings.today(),
                only=args.date,
                progress=progress_line(),
            )
    finally:
        engine.dispose()


def cmd_fetch(settings: Settings, args: argparse.Namespace) -> int:
    if not args.source and not settings.sources:
        print(
            "error: no live source is configured: set SOURCES (see .env.example) or give --source NAME",
            file=sys.stderr,
        )
        return 2
    if args.url and not args.source:
        print("error: --url needs --source NAME (which format the URL serves)", file=sys.stderr)
        return 2
    runs = asyncio.run(fetch_once(settings, args))
    for run in runs:
        print("\n".join(describe(run)))
    if not any(run.stored for run in runs):
        print("Nothing new was stored.")
    return 1 if all(run.error for run in runs) else 0


def add_cli_commands(sub: Any, date_type: Callable[[str], date]) -> None:
    p = sub.add_parser(
        "fetch", help="fetch from the live sources once, store what passes the checks, print what changed"
    )
    p.add_argument("--source", choices=KNOWN_SOURCES, help="only this source (default: SOURCES, in order)")
    p.add_argument("--url", metavar="URL", help="fetch the source from URL instead of its configured one")
    p.add_argument("--date", type=date_type, metavar="DATE", help="only the report of DATE (YYYY-MM-DD)")
    p.set_defaults(func=cmd_fetch)
