"""The token never shows: full `lossbot run`s (and `summary --send`, `subscribe @name`) as subprocesses at
LOG_LEVEL=DEBUG against the loopback fake Bot API, with the right token, a token Telegram refuses (401),
and no network (a closed port); every line they print is scanned for the token and its secret half.
Also: a malformed BOT_TOKEN is refused before anything starts, and a second poller stops in one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.failures import SECOND_POLLER, TOKEN_REFUSED
from tests.support.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0  # the most any step may take before the test fails (not a measured expectation)
SECRET = "SECRETpart-of-the_token-0123456789"
TOKEN = f"987654:{SECRET}"
WRONG_SECRET = "WRONGpart-of-a_token-9876543210"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_for(database_url: str, api_url: str, token: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL"}}
    env.update(
        DATABASE_URL=database_url,
        BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=f"{api_url}/bot",
        LOG_LEVEL="DEBUG",
        SOURCES="",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def lossbot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
        check=False,
    )


def assert_no_secret(output: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in output
    assert "Traceback" not in output


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as api:
        yield api


def test_a_full_run_with_the_right_token_logs_json_lines_without_it(
    history_copy: str, fake: FakeBotAPI
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env_for(history_copy, fake.url, TOKEN, LOG_FORMAT="json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake.wait_for("getUpdates", timeout=WAIT)
        fake.inject_message(1001, "/totals")
        fake.wait_for("sendMessage", lambda c: c.chat_id == 1001, timeout=WAIT)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 0, err
    assert_no_secret(out + err, TOKEN, SECRET)
    lines = [json.loads(line) for line in err.splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    # PTB logs the Bot API URL at DEBUG: it is there, with the token redacted.
    urls = [line["message"] for line in lines if line["message"].startswith("Set Bot API URL")]
    assert urls == [f"Set Bot API URL: {fake.url}/bot<redacted>"]
    assert any(line["level"] == "DEBUG" and line["logger"].startswith("telegram") for line in lines)


def test_a_token_telegram_refuses_ends_the_run_in_one_line(history_copy: str, fake: FakeBotAPI) -> None:
    wrong = f"987654:{WRONG_SECRET}"
    done = lossbot("run", env=env_for(history_copy, fake.url, wrong))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == TOKEN_REFUSED
    assert_no_secret(done.stdout + done.stderr, wrong, WRONG_SECRET)
    assert fake.calls_of("getMe") and not fake.calls_of("getMe")[0].ok


def test_summary_send_and_subscribe_with_a_refused_token_say_so_in_one_line(
    history_copy: str, fake: FakeBotAPI
) -> None:
    wrong = f"987654:{WRONG_SECRET}"
    for args in (("summary", "--send"), ("subscribe", "@some_channel")):
        done = lossbot(*args, env=env_for(history_copy, fake.url, wrong))
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines()[-1] == TOKEN_REFUSED
        assert_no_secret(done.stdout + done.stderr, wrong, WRONG_SECRET)


def test_an_unreachable_api_ends_the_run_in_one_line(history_copy: str) -> None:
    api = f"http://127.0.0.1:{closed_port()}"
    done = lossbot("run", env=env_for(history_copy, api, TOKEN))
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert last.startswith(f"error: cannot reach the Bot API at {api} (")
    assert last.endswith("; check the network")
    assert_no_secret(done.stdout + done.stderr, TOKEN, SECRET)


def test_a_malformed_token_is_refused_before_anything_starts(history_copy: str, fake: FakeBotAPI) -> None:
    done = lossbot("run", env=env_for(history_copy, fake.url, "not-a-token-zz"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: invalid settings: BOT_TOKEN: ")
    assert "does not look like a token from @BotFather" in done.stderr
    assert "not-a-token-zz" not in done.stderr
    assert fake.calls == []


def test_a_second_poller_stops_with_one_line_and_the_first_keeps_answering(
    history_copy: str, fake: FakeBotAPI
) -> None:
    env = env_for(history_copy, fake.url, TOKEN, LOG_LEVEL="INFO")
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fake.inject_message(1002, "/totals")  # the first poller has been answered: it is established
        fake.wait_for("sendMessage", lambda c: c.chat_id == 1002, timeout=WAIT)
        second = lossbot("run", env=env)
        assert second.returncode == 2
        assert second.stderr.splitlines()[-1] == SECOND_POLLER
        assert_no_secret(second.stdout + second.stderr, TOKEN, SECRET)
        before = len(fake.sent_messages(1002))
        fake.inject_message(1002, "/totals")
        fake.wait_for("sendMessage", lambda c: c.chat_id == 1002, timeout=WAIT, count=before + 1)
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(WAIT)


def test_a_webhook_run_without_its_settings_says_which_are_missing(
    history_copy: str, fake: FakeBotAPI
) -> None:
    done = lossbot(
        "run", "--webhook", env=env_for(history_copy, fake.url, TOKEN, WEBHOOK_URL="", WEBHOOK_SECRET="")
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: `lossbot run --webhook` needs WEBHOOK_URL and WEBHOOK_SECRET (see .env.example)\n"
    )
    assert fake.calls == []
