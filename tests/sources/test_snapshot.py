"""The embedded history: what a new installation answers from before any source is reached."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli.main import main
from bot.domain.report import ReportFigures
from bot.i18n import fmt
from bot.sources import snapshot
from storage import queries
from storage.db import make_engine, reading, transaction
from storage.writes import store_reports
from tests.conftest import ORC_LOSSES, PETROIVANIUK, fill_full_history, need_shared
from tests.support import databases


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = databases.new_database_url(tmp_path, "fresh")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return url


@pytest.mark.usefixtures("db_url")
def test_a_new_installation_answers_totals_from_the_embedded_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    newest = snapshot.read_snapshot()[-1]
    assert main(["ask", "/totals"]) == 0
    out = capsys.readouterr().out
    assert f"Russia's losses as of {fmt.day(newest.report_date, 'en')}" in out
    assert f"Personnel: {fmt.number(newest.totals['personnel'], 'en')}" in out
    assert "source:" in out  # the figures name where they come from


def test_the_history_is_loaded_once_and_only_into_an_empty_database(engine: Engine) -> None:
    shipped = snapshot.read_snapshot()
    assert snapshot.load_if_empty(engine) == len(shipped) > 1_500
    assert snapshot.load_if_empty(engine) == 0  # a second start adds nothing
    with reading(engine) as s:
        assert queries.report_count(s) == len(shipped)
        latest = queries.latest_report(s)
    assert latest is not None and latest.report_date == shipped[-1].report_date


def test_a_database_with_its_own_reports_is_left_alone(engine: Engine) -> None:
    own = ReportFigures(shipped_first_day(), "csv", {"personnel": 1}, {})
    with transaction(engine) as s:
        store_reports(s, [own])
    assert snapshot.load_if_empty(engine) == 0
    with reading(engine) as s:
        assert queries.report_count(s) == 1


def shipped_first_day() -> date:
    return snapshot.read_snapshot()[0].report_date


def test_the_snapshot_is_our_export_of_the_two_datasets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`.ci/snapshot` run now gives the very bytes that ship: the snapshot is the datasets, nothing else."""
    need_shared()
    url = databases.new_database_url(tmp_path, "datasets")
    fill_full_history(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "jsonl", "-o", "again.jsonl.gz"]) == 0
    assert (tmp_path / "again.jsonl.gz").read_bytes() == snapshot.SNAPSHOT.read_bytes()
    assert PETROIVANIUK.is_dir() and ORC_LOSSES.is_file()
    assert "exported" in capsys.readouterr().err


def test_a_gzip_export_imports_back_to_the_same_reports(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(snapshot.SNAPSHOT)]) == 0
    assert "added 1" in capsys.readouterr().out
    assert main(["export", "-o", "out.jsonl.gz"]) == 0
    assert main(["export", "-o", "out2.jsonl.gz"]) == 0  # the same reports, the same bytes
    assert (tmp_path / "out.jsonl.gz").read_bytes() == (tmp_path / "out2.jsonl.gz").read_bytes()
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == gzip.decompress(
        snapshot.SNAPSHOT.read_bytes()
    )
    engine = make_engine(db_url)
    with reading(engine) as s:
        assert queries.report_count(s) == len(snapshot.read_snapshot())
    engine.dispose()


@pytest.mark.usefixtures("db_url")
def test_a_truncated_gzip_file_is_refused_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(snapshot.SNAPSHOT.read_bytes()[:5_000])
    assert main(["import", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "broken.jsonl.gz: not a complete gzip file" in err and "Nothing was imported" in err
