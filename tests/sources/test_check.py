"""`lossbot check` finds the disagreements between the datasets that ../shared's comparison lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.sources import loader
from bot.sources.compare import compare
from tests.conftest import ORC_LOSSES, PETROIVANIUK, SHARED, need_shared
from tests.support import databases

COMPARISON = SHARED / "data" / "cross-source-comparison.txt"


def listed_pi_vs_lod() -> dict[str, set[str]]:
    """Category → the dates `cross-source-comparison.txt` lists as PetroIvaniuk vs orc-losses disagreements
    (only categories it lists in full, with an "all:" line)."""
    section = COMPARISON.read_text().split("== Category disagreements", 1)[1].split("\n== ", 1)[0]
    found: dict[str, set[str]] = {}
    for block in section.split("\n-- ")[1:]:
        category, _, body = block.partition("\n")
        pair = re.search(r"PI vs LOD: compared \d+, disagree (\d+).*?(?=\n  \S|\Z)", body, re.S)
        assert pair is not None, category
        listed = re.search(r"all: ([0-9, -]+)", pair.group(0))
        if int(pair.group(1)) == 0:
            found[category.strip()] = set()
        elif listed:
            found[category.strip()] = set(listed.group(1).strip().split(", "))
    return found


def test_the_comparison_finds_every_listed_disagreement_and_no_other() -> None:
    need_shared()
    [pi] = loader.load([PETROIVANIUK])
    [lod] = loader.load([ORC_LOSSES])
    found: dict[str, set[str]] = {}
    for d in compare(pi.reports, lod.reports).disagreements:
        found.setdefault(d.category, set()).add(d.report_date.isoformat())
    listed = listed_pi_vs_lod()
    assert len(listed) >= 12  # the parse of the reference file found its sections
    for category, dates in listed.items():
        assert found.get(category, set()) == dates, category


def test_lossbot_check_lists_them_by_category(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    need_shared()
    monkeypatch.setenv("DATABASE_URL", databases.new_database_url(tmp_path, "check"))
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(PETROIVANIUK)]) == 0
    capsys.readouterr()
    assert main(["check", str(ORC_LOSSES), "--from", "2024-11-01", "--to", "2024-11-30"]) == 0
    out = capsys.readouterr().out
    assert "stored vs orc-losses: 30 dates compared" in out
    assert "  tanks: 2\n    2024-11-03: stored 9182, orc-losses 9170 (-12)\n    2024-11-16:" in out
    assert "  personnel: 1\n    2024-11-03: stored 699090, orc-losses 697680 (-1410)" in out


def test_lossbot_check_without_anything_to_compare_says_what_to_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", databases.new_database_url(tmp_path, "x"))
    monkeypatch.delenv("SOURCES", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert "give dataset files to compare with, or set SOURCES" in capsys.readouterr().err
