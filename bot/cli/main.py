"""The `lossbot` command line: one sub-command per task, each a thin layer over `bot/` and `storage/`."""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from bot.cli.terminal import as_plain_text, counted, printable
from bot.config import Settings, SettingsError, load_settings
from bot.domain.dates import DateError, parse_calendar_date, utc_now
from bot.logs import setup_logging
from bot.sources import loader, native, snapshot
from bot.sources.common import SourceError
from storage import queries
from storage.db import make_engine, reading, transaction
from storage.migrate import SchemaError
from storage.writes import StoreSummary, store_reports

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> date:
    """An argparse type: a date read like every date the bot reads (see `parse_calendar_date`)."""
    try:
        return parse_calendar_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        batches = loader.load([Path(p) for p in args.paths], today=settings.today())
    except SourceError as exc:
        print(f"error: {printable(exc)}\nNothing was imported.", file=sys.stderr)
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
            f"{batch.name} ({batch.format}): {counted(len(batch.reports), 'report')} read; "
            f"added {len(summary.added)}, updated {len(summary.updated)}, "
            f"unchanged {len(summary.unchanged)}, conflicts {len(summary.conflicts)}"
        )
        for conflict in summary.conflicts[:10]:
            diffs = ", ".join(
                f"{k} {old} → {new}" for k, (old, new) in list(conflict.differences.items())[:4]
            )
            print(
                printable(
                    f"  conflict {conflict.report_date}: stored from {conflict.stored_source}, kept; "
                    f"{conflict.new_source} says {diffs}",  # source names come from the files
                    one_line=True,
                )
            )
        if len(summary.conflicts) > 10:
            print(f"  … and {counted(len(summary.conflicts) - 10, 'more conflict')}")
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
            elif args.output.endswith(".gz"):
                # No name and mtime 0 in the gzip header: the same reports give the same bytes under any
                # file name, so a refreshed snapshot diffs cleanly and tests can compare it.
                with (
                    Path(args.output).open("wb") as file,
                    gzip.GzipFile(filename="", mode="wb", fileobj=file, compresslevel=9, mtime=0) as packed,
                    io.TextIOWrapper(packed, encoding="utf-8", newline="") as out,
                ):
                    count = write(reports, out)
            else:
                with Path(args.output).open("w", encoding="utf-8", newline="") as out:
                    count = write(reports, out)
    finally:
        engine.dispose()
    print(f"exported {counted(count, 'report')}", file=sys.stderr)
    return EXIT_OK


NO_TOKEN_HELP = """\
BOT_TOKEN is not set, so the bot cannot connect to Telegram.

To get a token: open https://t.me/BotFather in Telegram, send /newbot, follow the two questions,
and put the token it gives you in a file named .env here:  BOT_TOKEN=123456:ABC...
(see .env.example), then run `{lossbot} run` again.

To try the bot without a token, ask it directly (the history it ships with answers), e.g.:
  {lossbot} ask "/totals"
  {lossbot} ask "/day 2024-10-25" --lang uk
"""


def _invoked_as() -> str:
    """How the user started this program, to repeat in advice: `.venv/bin/lossbot` if that was typed."""
    typed = sys.argv[0] if sys.argv and sys.argv[0] else "lossbot"
    return typed if "/" in typed and not typed.endswith(("__main__.py", "-c")) else "lossbot"


def _store_with_history(settings: Settings) -> Engine:
    """The configured database; on first start (no report stored) the embedded history is loaded into
    it, so the bot answers at once, before (or without) any live source."""
    engine = make_engine(settings.database_url)
    snapshot.load_if_empty(engine)
    return engine


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.bot_token is None:
        print(NO_TOKEN_HELP.format(lossbot=_invoked_as()), file=sys.stderr)
        return EXIT_USAGE
    if args.webhook and (missing := _webhook_settings_missing(settings)):
        print(f"error: `lossbot run --webhook` needs {missing} (see .env.example)", file=sys.stderr)
        return EXIT_USAGE
    logging.getLogger("telegram.ext").addFilter(_NoStartupTraceback())
    from telegram import Update
    from telegram.error import TelegramError

    from bot.app import build_application, run_webhook
    from bot.cli.failures import telegram_failure

    # --webhook: updates come to the HTTP server (its POST /webhook), not from long polling.
    app = build_application(settings, engine=_store_with_history(settings), webhook=args.webhook)
    try:
        if args.webhook:
            run_webhook(app)
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=2)
    except TelegramError as exc:
        line, status = telegram_failure(exc, settings)
        print(line, file=sys.stderr)
        return status
    if app.bot_data.fatal is not None:  # the bot stopped itself (a second poller: Telegram's 409)
        line, status = telegram_failure(app.bot_data.fatal, settings)
        print(line, file=sys.stderr)
        return status
    return EXIT_OK


def _webhook_settings_missing(settings: Settings) -> str | None:
    missing = [
        name
        for name, value in (
            ("WEBHOOK_URL", settings.webhook_url),
            ("WEBHOOK_SECRET", settings.webhook_secret),
        )
        if value is None
    ]
    return " and ".join(missing) or None


class _NoStartupTraceback(logging.Filter):
    """PTB logs a failed start with the whole traceback; `lossbot run` says what failed in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Network Retry Loop (Bootstrap"):
            record.exc_info = None
        return True


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import offline

    sent = asyncio.run(offline.ask(settings, args.text, lang=args.lang, engine=_store_with_history(settings)))
    for message in sent:
        print(message.text if args.html else as_plain_text(message.text))
        for row in message.buttons:  # the buttons under the message, as a phone shows them
            print("  ".join(f"[{label}]" for label in row))
    for path in offline.save_files(sent, Path(args.out)):
        print(f"saved {path}")
    return EXIT_OK


def cmd_parse(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.domain.parser import NotAReport, parse_report

    if args.file in (None, "-"):
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return EXIT_ERROR
    try:
        # Without --as-of, the text was posted today: today in the bot's zone, like the bot itself reads it.
        as_of = args.as_of or utc_now().astimezone(settings.zone).date()
        parsed = parse_report(text, as_of=as_of)
    except NotAReport as exc:
        print(f"not a report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(parsed.as_json(), ensure_ascii=False, indent=1))
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
    p.add_argument(
        "--prefer-new",
        action="store_true",
        help="overwrite figures stored from another source, or totals that drop sharply",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write the stored reports as JSONL or the importable CSV")
    p.add_argument(
        "--format", choices=["jsonl", "csv"], default="jsonl", help="JSONL (default) or the importable CSV"
    )
    p.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE", help="first report date (YYYY-MM-DD)"
    )
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="last report date (YYYY-MM-DD)")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of standard output (gzip if FILE ends in .gz)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "run",
        help="run the bot (long polling); needs BOT_TOKEN",
        description="Run the bot with long polling until interrupted (Ctrl-C). Needs BOT_TOKEN (see "
        ".env.example). On first start it loads the embedded history; with SOURCES set it then fetches "
        "what came after, and each morning's report.",
    )
    p.add_argument(
        "--webhook",
        action="store_true",
        help="get updates through a webhook at WEBHOOK_URL (served on LISTEN_HOST:LISTEN_PORT) instead of "
        "long polling; needed to run more than one instance",
    )
    p.set_defaults(func=cmd_run, logs_at_settings_level=True)

    p = sub.add_parser("ask", help="print the bot's reply to TEXT, without Telegram")
    p.add_argument("text", metavar="TEXT", help='a message as a user would send it, e.g. "/totals"')
    p.add_argument("--lang", choices=["en", "uk"], default="en", help="the asking user's language")
    p.add_argument("--out", default=".", metavar="DIR", help="where photos and files of the reply are saved")
    p.add_argument("--html", action="store_true", help="print the reply's HTML markup as sent")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("parse", help="read a General Staff report text and print its figures as JSON")
    p.add_argument("file", nargs="?", metavar="FILE", help="the text; - or nothing for standard input")
    p.add_argument(
        "--as-of", type=_date, metavar="DATE", help="when it was posted (dates a heading without a year)"
    )
    p.set_defaults(func=cmd_parse)

    from bot.cli import delivery, migrate, sources

    delivery.add_cli_commands(sub, _date)  # subscribe, unsubscribe, subscribers, summary
    sources.add_cli_commands(sub, _date)  # fetch
    migrate.add_cli_commands(sub)  # migrate
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # PTB 22 gives durations (retry_after…) as timedeltas only when asked; without it, it warns.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    func: Command = args.func
    # Only the long-running commands log at LOG_LEVEL; the others print their results, and log warnings.
    setup_logging(
        settings.log_level if getattr(args, "logs_at_settings_level", False) else "WARNING",
        log_format=settings.log_format,
        secrets=[
            secret.get_secret_value() for secret in (settings.bot_token, settings.webhook_secret) if secret
        ],
    )
    try:
        return func(settings, args)
    except KeyboardInterrupt:
        return 130
    except SchemaError as exc:  # start-up found a database at another schema: what to do, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `lossbot check | head`: the reader has all it wanted
        # Python flushes stdout again at exit, into the closed pipe: point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
