"""What the operator's terminal shows: counts in English, summaries as text, a clear failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.cli.test_import_cli import CSV_HEADER, write
from tests.support.fakesources import FakeSources


@pytest.mark.usefixtures("db_url")
def test_counts_are_said_in_the_singular_and_the_plural(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write(tmp_path, "one.csv", CSV_HEADER + "2024-10-25,mine,,685910,9097,1630,7\n")
    assert main(["import", str(one)]) == 0
    assert f"{one} (csv): 1 report read; added 1" in capsys.readouterr().out
    two = write(
        tmp_path,
        "two.csv",
        CSV_HEADER + "2024-10-26,mine,,687000,9100,1090,3\n2024-10-27,mine,,688000,9104,1000,4\n",
    )
    assert main(["import", str(two)]) == 0
    assert f"{two} (csv): 2 reports read; added 2" in capsys.readouterr().out
    assert main(["export", "--from", "2024-10-25", "--to", "2024-10-25", "-o", str(tmp_path / "x.csv")]) == 0
    assert "exported 1 report\n" in capsys.readouterr().err
    assert main(["check", str(one)]) == 0
    assert "stored vs csv: 1 date compared, 0 figures disagree" in capsys.readouterr().out


@pytest.mark.usefixtures("db_url")
def test_summary_prints_text_and_html_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write(tmp_path, "one.csv", CSV_HEADER + "2024-10-25,mine,,685910,9097,1630,7\n")
    assert main(["import", str(one)]) == 0
    capsys.readouterr()
    assert main(["summary"]) == 0
    text = capsys.readouterr().out
    assert "Russia's losses: report of 25 Oct 2024" in text and "<b>" not in text and "&" not in text
    assert main(["summary", "--html"]) == 0
    assert "<b>Russia's losses: report of 25 Oct 2024</b>" in capsys.readouterr().out


def test_check_fails_when_every_live_source_failed(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert db_url
    with FakeSources() as fake:
        fake.fail("/", "status", status=503)
        monkeypatch.setenv("SOURCES", "russianwarship")
        monkeypatch.setenv("RUSSIANWARSHIP_URL", fake.api_url)
        assert main(["check", "--from", "2024-10-25"]) == 1
    err = capsys.readouterr().err
    assert "russianwarship: failed:" in err
    assert "error: every live source failed (see above): nothing was compared" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("db_url")
def test_summary_of_a_day_without_a_report_names_the_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said only "No such report." (on stdout, where a script reads the summary)."""
    assert main(["summary"]) == 1
    assert capsys.readouterr().err == (
        "error: no reports are stored yet; load the history with: lossbot import PATH\n"
    )
    one = write(tmp_path, "one.csv", CSV_HEADER + "2024-10-25,mine,,685910,9097,1630,7\n")
    assert main(["import", str(one)]) == 0
    capsys.readouterr()
    assert main(["summary", "--date", "2030-01-01"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (
        "error: no report is stored for 2030-01-01; the latest is of 2024-10-25"
        " (lossbot summary --date 2024-10-25)\n"
    )
