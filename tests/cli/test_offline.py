"""`lossbot ask`'s in-process Bot API: a reply's photo or file reaches the --out directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import CommandHandler

from bot.answers.reply import Reply, Upload
from bot.app import build_application
from bot.cli import offline
from bot.cli.main import main
from bot.config import Settings
from bot.services import BotContext
from handlers.common import reply
from tests.charts.test_draw import png_size

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
CSV = b"day,personnel\n2024-10-25,1630\n"


async def picture(update: Update, context: BotContext) -> None:
    """A command of this test only, answering with a photo, then a file."""
    await reply(update, Reply("<b>Chart</b>", photo=Upload("chart.png", PNG)), context.lang)
    await reply(update, Reply("Figures", document=Upload("losses.csv", CSV)), context.lang)


async def test_photos_and_files_of_a_reply_are_saved(engine: Engine, tmp_path: Path) -> None:
    request = offline.OfflineRequest()
    app = build_application(Settings(_env_file=None), engine=engine, request=request, token="1:offline")
    app.add_handler(CommandHandler("picture", picture), group=1)
    raw = offline.message_update("/picture", "en")
    raw["message"]["chat"]["type"] = "group"  # past the private-chat fallback, to this test's handler
    async with app:
        await app.process_update(Update.de_json(raw, app.bot))
    await app.bot_data.services.read(lambda _s: None)  # the worker thread is idle

    assert [(m.method, m.text) for m in request.sent] == [
        ("sendPhoto", "<b>Chart</b>"),
        ("sendDocument", "Figures"),
    ]
    saved = offline.save_files(request.sent, tmp_path / "out")
    assert [p.name for p in saved] == ["chart.png", "losses.csv"]
    assert [p.read_bytes() for p in saved] == [PNG, CSV]


def test_ask_saves_a_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ask.db'}")
    assert main(["ask", "/chart tanks 2024-10", "--lang", "uk", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Танки: втрати за добу, жовтень 2024" in out
    [saved] = (tmp_path / "out").iterdir()
    assert saved.name == "chart-tanks-2024-10-01-2024-10-31.png"
    assert png_size(saved.read_bytes()) == (1280, 960)


def test_ask_answers_in_the_language_asked_for_even_after_a_lang_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ask.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "/lang en"]) == 0
    capsys.readouterr()
    assert main(["ask", "/totals", "--lang", "uk"]) == 0
    assert "Втрати росії станом на" in capsys.readouterr().out


def test_ask_reads_dates_and_questions_as_people_write_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 9's reproductions through `lossbot ask`: what a user reads, in both languages.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ask.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "/day Oct 25 2024"]) == 0
    assert "Report of 25 Oct 2024 (day 975)" in capsys.readouterr().out
    assert main(["ask", "/range з 21.10.2024 по 25.10.2024", "--lang", "uk"]) == 0
    assert "Особовий склад: 7\u00a0390" in capsys.readouterr().out
    assert main(["ask", "скільки танків за тиждень", "--lang", "uk"]) == 0
    out = capsys.readouterr().out
    assert "останні 7 днів: 23 (≈3,3/добу, 7 звітів)" in out
    assert "💬 Як команда: /category tanks за тиждень" in out
    assert main(["ask", "/top tnaks"]) == 0
    assert "Did you mean tanks?" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("lang", "rows"),
    [
        ("en", "[7 days]  [30 days]  [August 2026]\n[2026]  [All]\n"),
        ("uk", "[7 днів]  [30 днів]  [Серпень 2026]\n[2026]  [Увесь час]\n"),
    ],
)
def test_ask_prints_the_buttons_under_a_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str, rows: str
) -> None:
    """A bare /range is answered with buttons: trying the bot offline showed only the question."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ask.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "/range", "--lang", lang]) == 0
    assert capsys.readouterr().out.endswith(rows)
