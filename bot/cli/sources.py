"""`lossbot fetch` and `lossbot check`: the live sources asked once, and the stored history compared with
other sources."""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.cli.terminal import counted, printable
from bot.config import KNOWN_SOURCES, Settings
from bot.domain.report import ReportFigures
from bot.moderation.intake import Progress, SourceRun, fetch_new
from bot.moderation.workflow import finding_text
from bot.sources import loader
from bot.sources.common import SourceError
from bot.sources.compare import Comparison, compare
from bot.sources.live import Http, configured_sources, http_client
from storage import queries
from storage.db import make_engine, reading

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
    lines = [f"{run.source} ({run.url}): {counted(run.fetched, 'report')} {since}"]
    if run.stored:
        lines.append(f"  stored {len(run.stored)}: {_dates(run.stored)}")
    if run.unchanged:
        lines.append(f"  already stored as fetched: {_dates(run.unchanged)}")
    if run.conflicts:
        lines.append(f"  kept as stored (another source differs): {_dates(run.conflicts)}")
    if run.waiting:
        lines.append(f"  waiting behind the held report: {_dates(run.waiting)}")
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
    if args.url and not args.source:
        print("error: --url needs --source NAME (which format the URL serves)", file=sys.stderr)
        return 2
    if args.date and args.date > settings.today():
        print(
            f"error: {args.date} is after today ({settings.today()}): no source has its report",
            file=sys.stderr,
        )
        return 2
    if not args.source and not settings.sources:
        print(
            "error: no live source is configured: set SOURCES (see .env.example) or give --source NAME",
            file=sys.stderr,
        )
        return 2
    # Each failure is printed below with its URL; the log's warning of it would say it twice.
    logging.getLogger("bot.moderation.intake").setLevel(logging.ERROR)
    runs = asyncio.run(fetch_once(settings, args))
    for run in runs:
        print("\n".join(printable(line, one_line=True) for line in describe(run)))
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

    p = sub.add_parser(
        "check",
        help="compare the stored history with dataset files or the live sources; list every disagreement",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="dataset files or folders (default: SOURCES)")
    p.add_argument("--from", dest="date_from", type=date_type, metavar="DATE", help="first report date")
    p.add_argument("--to", dest="date_to", type=date_type, metavar="DATE", help="last report date")
    p.set_defaults(func=cmd_check)


def describe_comparison(name: str, comparison: Comparison) -> list[str]:
    """`lossbot check`'s lines for one source: per category, how many dates disagree, then each."""
    found = comparison.by_category()
    total = len(comparison.disagreements)
    disagree = f"{counted(total, 'figure')} {'disagrees' if total == 1 else 'disagree'}"
    lines = [f"stored vs {name}: {counted(comparison.dates_compared, 'date')} compared, {disagree}"]
    for category, items in found.items():
        lines.append(f"  {category}: {len(items)}")
        lines += [
            f"    {d.report_date}: stored {d.ours}, {name} {d.theirs} ({d.theirs - d.ours:+d})" for d in items
        ]
    return lines


async def _fetch_all(settings: Settings, first: date | None) -> list[tuple[str, list[ReportFigures]]]:
    after = first - timedelta(days=1) if first else None
    found = []
    async with http_client(settings) as client:
        http = Http(client)
        for source in configured_sources(settings):
            try:
                found.append((source.name, await source.reports_after(http, after)))
            except SourceError as exc:
                print(f"{source.name}: failed: {printable(exc)}", file=sys.stderr)
    return found


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    if args.paths:
        try:
            others = [
                (batch.format, batch.reports)
                for batch in loader.load([Path(p) for p in args.paths], today=settings.today())
            ]
        except SourceError as exc:
            print(f"error: {printable(exc)}", file=sys.stderr)
            return 1
    elif settings.sources:
        others = asyncio.run(_fetch_all(settings, args.date_from))
    else:
        print("error: give dataset files to compare with, or set SOURCES (see .env.example)", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        with reading(engine) as session:
            stored = list(queries.iter_reports(session, start=args.date_from, end=args.date_to))
    finally:
        engine.dispose()
    if not others:
        print("error: every live source failed (see above): nothing was compared", file=sys.stderr)
        return 1
    for name, reports in others:
        print(
            "\n".join(
                describe_comparison(name, compare(stored, reports, first=args.date_from, last=args.date_to))
            )
        )
    return 0
