"""Logging set-up: one line per event with its level and logger (JSON with LOG_FORMAT=json), and never a
secret. The bot token is in every Bot API URL (PTB logs the URL at DEBUG, and an InvalidToken error quotes
the token), so a filter on every handler redacts the token and its secret half from each record's message,
arguments, traceback and stack before any handler writes it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from typing_extensions import override

REDACTED = "<redacted>"

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def secret_parts(secrets: Iterable[str | None]) -> tuple[str, ...]:
    """What to hide for SECRETS: each one, and a bot token's part after the colon (a URL may hold it
    alone); longest first, so a part never leaves the rest of a longer secret behind."""
    parts: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        parts.add(secret)
        half = secret.rpartition(":")[2]
        if len(half) >= 4:  # a tiny "secret half" would redact ordinary words
            parts.add(half)
    return tuple(sorted(parts, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str], replacement: str = REDACTED) -> str:
    """TEXT with every one of SECRETS (see `secret_parts`) replaced by REPLACEMENT."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, replacement)
    return text


class RedactSecrets(logging.Filter):
    """Redacts the secrets from a record before it is formatted: the message with its arguments merged
    (an argument may be the URL), the formatted exception and the stack. Installed on handlers, so it sees
    the records of every logger that propagates to them, PTB's and httpx's included."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets = secret_parts(secrets)

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message: keep both, as text
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the traceback if any."""

    @override
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


class _LossbotHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Our handler on the root logger, told apart from others (a test runner's) when set up again."""


def setup_logging(level: str, *, log_format: LogFormat = "text", secrets: Iterable[str | None] = ()) -> None:
    """Log to standard error at LEVEL in LOG_FORMAT, with SECRETS redacted from every line.

    Called once per command; again (tests run many in one process) it replaces its handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _LossbotHandler)]:
        root.removeHandler(handler)
    handler = _LossbotHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    redacting = RedactSecrets(secrets)
    for each in root.handlers:  # any other handler (a test runner's capture) is redacted too
        for old in [f for f in each.filters if isinstance(f, RedactSecrets)]:
            each.removeFilter(old)
        each.addFilter(redacting)
    # httpx logs every request URL at INFO (the URL holds the token: redacted, but noise all the same).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic narrates its set-up at INFO (plugins, the dialect): noise in every command's output at
    # LOG_LEVEL=INFO; `lossbot migrate --status` shows the revision.
    logging.getLogger("alembic").setLevel(logging.WARNING)
