"""End to end: `lossbot run` as a subprocess, polling the loopback fake Bot API, on the full real history.
Messages are injected as users would write them; the tests read the replies the users would read. Also
`lossbot ask`, the same answers without Telegram."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as cli
from tests.support import databases
from tests.support.fakebotapi import Call, FakeBotAPI
from tests.support.replies import plain

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"
WAIT = 30.0  # the most any step may take before the test fails (not a measured expectation)


@dataclass
class RunningBot:
    fake: FakeBotAPI
    process: subprocess.Popen[bytes]
    log: Path

    def sent_in(self, chat_id: int) -> list[Call]:
        return [c for c in self.fake.calls_of("sendMessage") if c.chat_id == chat_id]

    def ask(self, chat_id: int, text: str, **kwargs: Any) -> str:
        """Inject TEXT into CHAT_ID and return the bot's next message there, as the user reads it."""
        before = len(self.sent_in(chat_id))
        self.fake.inject_message(chat_id, text, **kwargs)
        self.fake.wait_for("sendMessage", lambda c: c.chat_id == chat_id, timeout=WAIT, count=before + 1)
        call = self.sent_in(chat_id)[before]
        assert call.ok, call.description
        reply = plain(call.params["text"])
        assert "Sorry, something went wrong" not in reply and "Traceback" not in reply
        return reply


def bot_env(database_url: str, fake: FakeBotAPI) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL"}}
    env.update(
        DATABASE_URL=database_url,
        BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=f"{fake.url}/bot",
        TIMEZONE="Europe/Kyiv",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def history_db(full_history_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the full history for this module's bot (/lang writes to it)."""
    return databases.copy_database(full_history_url, tmp_path_factory.mktemp("e2e"), "history")


@pytest.fixture(scope="module")
def bot(history_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    log = tmp_path_factory.mktemp("e2e-log") / "bot.log"
    with FakeBotAPI() as fake, log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=bot_env(history_db, fake),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            fake.wait_for("getUpdates", timeout=WAIT)
            yield RunningBot(fake, process, log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(WAIT)


def test_start_up_registers_the_command_menu_in_both_languages(bot: RunningBot) -> None:
    calls = bot.fake.calls
    assert [c.method for c in calls][:1] == ["getMe"]
    english = {c["command"]: c["description"] for c in bot.fake.commands()}
    ukrainian = {c["command"]: c["description"] for c in bot.fake.commands(language_code="uk")}
    assert {"totals", "day", "range", "top", "category", "records", "categories", "lang", "help"} <= set(
        english
    )
    assert english.keys() == ukrainian.keys()
    assert english["day"] == "one report: the day's losses, totals and ranks"
    assert ukrainian["day"] == "один звіт: втрати за добу, підсумки, місця"


def test_day_2024_10_25(bot: RunningBot) -> None:
    reply = bot.ask(1001, "/day 2024-10-25")
    assert "Report of 25 Oct 2024 (day 975)" in reply
    assert "Personnel: +1,630 → 685,910" in reply
    assert "Personnel +1,630: the 4th-highest day at the time" in reply


def test_range_2024_10_21_to_25(bot: RunningBot) -> None:
    reply = bot.ask(1002, "/range 2024-10-21..2024-10-25")
    assert "Personnel: 7,390" in reply
    assert "Artillery systems: 188" in reply
    assert "Operational-tactical UAVs: 383" in reply
    assert "Armoured combat vehicles: 176" in reply


def test_totals_2025_08_22(bot: RunningBot) -> None:
    reply = bot.ask(1003, "/totals 2025-08-22")
    for line in (
        "Personnel: 1,074,320",
        "Tanks: 11,124",
        "Armoured combat vehicles: 23,160",
        "Artillery systems: 31,835",
        "Operational-tactical UAVs: 52,787",
    ):
        assert line in reply


def test_top_personnel_3(bot: RunningBot) -> None:
    reply = bot.ask(1004, "/top personnel 3 2022-04-01..2024-10-25")
    assert "1. 13 May 2024 — +1,740\n2. 21 Oct 2024 — +1,710\n3. 25 Oct 2024 — +1,630" in reply


def test_a_ukrainian_user_reads_ukrainian(bot: RunningBot) -> None:
    reply = bot.ask(1005, "/day 2024-10-25", language_code="uk")
    assert "Звіт за 25" in reply and f"+1{NBSP}630 → 685{NBSP}910" in reply


def test_lang_uk_switches_the_chat(bot: RunningBot) -> None:
    assert bot.ask(1006, "/lang uk") == "Мову змінено на українську."
    reply = bot.ask(1006, "/top personnel 3 2022-04-01..2024-10-25", language_code="en")
    assert f"+1{NBSP}740" in reply and "1,740" not in reply
    assert "Топ-3 дні" in reply  # the "few" form: 3 дні, not "3 днів"


def test_groups_answer_only_commands_addressed_to_this_bot(bot: RunningBot) -> None:
    group = -5005
    bot.fake.inject_message(group, "so how many today?", chat_type="group")
    bot.fake.inject_message(group, "/totals@otherbot", chat_type="group")
    reply = bot.ask(group, f"/totals@{bot.fake.bot_username} 2025-08-22", chat_type="group")
    assert "Personnel: 1,074,320" in reply
    # Deterministic "no reply" checks are in test_bot_inprocess; here the one reply must be the answer.
    assert len(bot.sent_in(group)) == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("/top personnel abc", "I can't read the period “abc”"),
        ("/top 5 personnel", "I don't know the category “5”"),
        ("/day tanks", "Usage: /day [DATE]"),
        ("/range 2024-13-45", "there is no month 13"),
        ("/day 2030-01-01", "is in the future: the latest report is of 22 Aug 2026"),
        ("/day 2022-01-01", "before the full-scale invasion"),
        ("/category unicorns", "I don't know the category “unicorns”"),
        ("/totals " + "9" * 10_000, "That is too long for a command argument."),
        ("/lang klingon", "Usage: /lang en or /lang uk"),
    ],
)
def test_bad_input_is_explained(bot: RunningBot, text: str, words: str) -> None:
    assert words in bot.ask(1007, text)


def test_sigterm_stops_the_bot_cleanly(bot: RunningBot) -> None:
    assert bot.process.poll() is None, "the bot stopped by itself"
    bot.process.send_signal(signal.SIGTERM)
    assert bot.process.wait(WAIT) == 0
    log = bot.log.read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert " ERROR " not in log
    # PTB acknowledges the updates it handled with a last getUpdates before it exits.
    assert bot.fake.pending_updates == []


# ------------------------------------------------------------------------------------------ lossbot ask


def test_lossbot_ask_prints_the_reply(full_history_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = full_history_url
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "/day 2024-10-25"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Personnel: +1,630 → 685,910" in done.stdout
    assert "<b>" not in done.stdout
    assert done.stderr == ""


def test_lossbot_ask_in_ukrainian_through_main(
    full_history_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", full_history_url)
    monkeypatch.chdir(ROOT)
    assert cli.main(["ask", "/day 2024-10-25", "--lang", "uk"]) == 0
    out = capsys.readouterr().out
    assert f"+1{NBSP}630 → 685{NBSP}910" in out


def test_lossbot_ask_bad_input(
    full_history_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", full_history_url)
    assert cli.main(["ask", "/top 5 personnel"]) == 0
    out = capsys.readouterr().out
    assert "I don't know the category “5”" in out and "Usage: /top [CATEGORY [N] [PERIOD]]" in out
