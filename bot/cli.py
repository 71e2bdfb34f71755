"""The `lossbot` command line: one sub-command per task, each a thin layer over `bot/` and `storage/`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings
from bot.sources import loader, native
from bot.sources.common import SourceError
from storage import queries
from storage.db import make_engine, reading, transaction
from storage.writes import StoreSummary, store_reports

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        batches = loader.load([Path(p) for p in args.paths])
    except SourceError as exc:
        print(f"error: {exc}\nNothing was imported.", file=sys.stderr)
        return EXIT_ERROR
    engine = make_engine(settings.database_url)
    summaries: list[tuple[loader.Batch, StoreSummary]] = []
    with transaction(engine) as session:  # all files, or none of them
        for batch in batches:
            summaries.append((batch, store_reports(session, batch.reports, prefer_new=args.prefer_new)))
    changed = False
    for batch, summary in summaries:
        changed |= summary.changed_anything
        print(
            f"{batch.name} ({batch.format}): {len(batch.reports)} reports read; "
            f"added {len(summary.added)}, updated {len(summary.updated)}, "
            f"unchanged {len(summary.unchanged)}, conflicts {len(summary.conflicts)}"
        )
        for conflict in summary.conflicts[:10]:
            diffs = ", ".join(
                f"{k} {old} → {new}" for k, (old, new) in list(conflict.differences.items())[:4]
            )
            print(
                f"  conflict {conflict.report_date}: stored from {conflict.stored_source}, kept; "
                f"{conflict.new_source} says {diffs}"
            )
        if len(summary.conflicts) > 10:
            print(f"  … and {len(summary.conflicts) - 10} more conflicts")
    if any(s.conflicts for _, s in summaries):
        print("Conflicting figures were kept as stored; run again with --prefer-new to overwrite them.")
    if not changed:
        print("Nothing changed: every report was already stored.")
    engine.dispose()
    return EXIT_OK


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    write = native.write_jsonl if args.format == "jsonl" else native.write_csv
    try:
        with reading(engine) as session:
            reports = queries.iter_reports(session, start=args.date_from, end=args.date_to)
            if args.output in (None, "-"):
                count = write(reports, sys.stdout)
            else:
                with Path(args.output).open("w", encoding="utf-8", newline="") as out:
                    count = write(reports, out)
    finally:
        engine.dispose()
    print(f"exported {count} reports", file=sys.stderr)
    return EXIT_OK


Command = Callable[[Settings, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lossbot",
        description="Telegram bot for the daily figures of Russia's losses in Ukraine "
        "(as published by Ukraine's General Staff).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "import", help="import datasets (PetroIvaniuk, orc-losses, russianwarship.rip, CSV/JSONL)"
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders; the format is read from the content"
    )
    p.add_argument("--prefer-new", action="store_true", help="overwrite figures stored from another source")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write the stored reports as JSONL or the importable CSV")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE", help="first report date (YYYY-MM-DD)"
    )
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="last report date (YYYY-MM-DD)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_export)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Sub-commands defined in other modules register here (run, ask, parse, subscribe …).
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    func: Command = args.func
    try:
        return func(settings, args)
    except KeyboardInterrupt:
        return 130
