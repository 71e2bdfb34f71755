"""The same data gives the same bytes on SQLite and on PostgreSQL: exports and answers.

Needs both databases at once, so it runs only in the PostgreSQL run (.ci/run sets TEST_DATABASE_URL);
the SQLite side is a file, as always.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.answers import commands
from bot.answers.reply import Reply
from bot.cli.main import main
from bot.sources import snapshot
from storage.db import make_engine, reading
from tests.support import databases

pytestmark = pytest.mark.skipif(
    not databases.on_postgres(), reason="compares with PostgreSQL: set TEST_DATABASE_URL (.ci/run does)"
)

TODAY = date(2026, 8, 23)
ANSWERS: list[tuple[Callable[..., Reply], str]] = [
    (commands.totals, ""),
    (commands.totals, "2022-03-01"),
    (commands.day, "2024-10-25"),
    (commands.day, "2022-02-27"),
    (commands.range_, "2024-10-21..2024-10-25"),
    (commands.range_, "2022"),
    (commands.top, "personnel 3 2022-04-01..2024-10-25"),
    (commands.top, "tanks 10"),
    (commands.category, "tanks 2024"),
    (commands.category, "personnel"),
    (commands.records, ""),
]


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The embedded history loaded into a SQLite file and into a PostgreSQL schema."""
    folder = tmp_path_factory.mktemp("both")
    found = {"sqlite": f"sqlite:///{folder / 'history.db'}", "postgresql": databases.new_database_url(folder)}
    for url in found.values():
        engine = make_engine(url)
        assert snapshot.load_if_empty(engine) > 1600
        engine.dispose()
    return found


@pytest.fixture
def sessions(urls: dict[str, str]) -> Iterator[list[Session]]:
    engines: list[Engine] = [make_engine(url) for url in urls.values()]
    with reading(engines[0]) as first, reading(engines[1]) as second:
        yield [first, second]
    for engine in engines:
        engine.dispose()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exports_are_byte_identical(
    urls: dict[str, str],
    fmt: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    exported = []
    for name, url in urls.items():
        monkeypatch.setenv("DATABASE_URL", url)
        assert main(["export", "--format", fmt, "-o", f"{name}.{fmt}"]) == 0
        exported.append((tmp_path / f"{name}.{fmt}").read_bytes())
    capsys.readouterr()
    assert exported[0] == exported[1]
    assert len(exported[0].splitlines()) >= 1640


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize(("answer", "args"), ANSWERS, ids=[f"{a.__name__} {args}" for a, args in ANSWERS])
def test_answers_are_byte_identical(
    sessions: list[Session], answer: Callable[..., Reply], args: str, lang: str
) -> None:
    sqlite, postgresql = (answer(session, args, today=TODAY, lang=lang) for session in sessions)
    assert sqlite == postgresql  # the whole reply: text, and any picture or buttons
    assert len(sqlite.text) > 100
