"""The log set-up: the token and its secret half are redacted from messages, arguments, tracebacks and
stacks, whichever logger wrote them; JSON lines carry level and logger."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, JsonFormatter, RedactSecrets, secret_parts

TOKEN = "123456789:AAHsecretHALF-of_the-token"
HALF = TOKEN.split(":")[1]


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets([TOKEN, None]))
    logger = logging.getLogger("telegram.ext.ExtBot.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, out
    logger.removeHandler(handler)


def lines(out: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_token_in_an_argument_a_message_or_a_traceback_is_redacted(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = captured
    logger.debug("Set Bot API URL: %s", f"https://api.telegram.org/bot{TOKEN}")
    logger.info(f"the secret half alone: /file/bot123456789%3A{HALF}/x")
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
    except ValueError:
        logger.exception("failed")
    logger.warning("where", stack_info=True, extra={"ignored": TOKEN})
    text = out.getvalue()
    assert TOKEN not in text and HALF not in text
    first, second, third, fourth = lines(out)
    assert first == {**first, "level": "DEBUG", "logger": "telegram.ext.ExtBot.test"}
    assert first["message"] == f"Set Bot API URL: https://api.telegram.org/bot{REDACTED}"
    assert second["message"] == f"the secret half alone: /file/bot123456789%3A{REDACTED}/x"
    assert (
        third["level"] == "ERROR" and f"ValueError: The token `{REDACTED}` was rejected" in third["exception"]
    )
    assert "stack" in fourth


def test_what_is_hidden() -> None:
    assert secret_parts([TOKEN, None, ""]) == (TOKEN, HALF)
    assert secret_parts(["webhook-secret"]) == ("webhook-secret",)
