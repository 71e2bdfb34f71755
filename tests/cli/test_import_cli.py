"""`lossbot import` and `lossbot export` as a user runs them: formats, messages, bad input, round trips."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.cli.main import main
from storage import queries
from storage.db import make_engine, reading
from tests.conftest import ORC_LOSSES, PETROIVANIUK, RUSSIANWARSHIP, need_shared
from tests.support import databases


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = databases.new_database_url(tmp_path, "cli")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return url


def report_count(url: str) -> int:
    engine = make_engine(url)
    with reading(engine) as s:
        count = queries.report_count(s)
    engine.dispose()
    return count


CSV_HEADER = "date,source,source_url,personnel,tanks,personnel_increase,tanks_increase\n"


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.usefixtures("db_url")
def test_csv_import_twice_says_nothing_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        "f.csv",
        CSV_HEADER + "2024-10-24,mine,,684280,9090,1200,5\n2024-10-25,mine,,685910,9097,1630,7\n",
    )
    assert main(["import", str(path)]) == 0
    assert "added 2, updated 0, unchanged 0, conflicts 0" in capsys.readouterr().out
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "added 0, updated 0, unchanged 2" in out and "Nothing changed" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json at all {", "not JSON"),
        ('{"hello": 1}', "unrecognised format"),
        (CSV_HEADER + "2024-10-25,x,,-5,1,,\n", "line 2: field 'personnel': -5 is negative"),
        (CSV_HEADER + "2024-10-25,x,,12a,1,,\n", "line 2: field 'personnel': '12a' is not a whole number"),
        (CSV_HEADER + "2024-10-25,x,,12_251,1,,\n", "field 'personnel': '12_251' is not a whole number"),
        (CSV_HEADER + "2024-10-25,x,,12'251,1,,\n", "field 'personnel': \"12'251\" is not a whole number"),
        (CSV_HEADER + "2024-10-25,x,,١٢,1,,\n", "field 'personnel': '١٢' is not a whole number"),
        (CSV_HEADER + "2024-13-45,x,,1,1,,\n", "line 2: field 'date': '2024-13-45' is not a date"),
        ("date,tankz\n2024-10-25,1\n", "record header: field 'tankz': unknown category key"),
        (
            '[{"date": "2024-01-01", "sourceUri": "u", "tanks": "many"}]',
            "field 'tanks': 'many' is not a whole number",
        ),
        ('[{"date": "2024-01-01", "sourceUri": "u", "tonks": 1}]', "field 'tonks': unknown category key"),
        ('{"data": {"date": "2024-01-01", "stats": {"tanks": -1}}}', "field 'stats.tanks': -1 is negative"),
    ],
)
def test_bad_input_is_refused_naming_the_place_and_nothing_is_written(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    good = write(tmp_path, "good.csv", CSV_HEADER + "2024-10-25,mine,,685910,9097,1630,7\n")
    bad = write(tmp_path, "bad.json" if content.startswith(("{", "[", "n")) else "bad.csv", content)
    assert main(["import", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and expected in err and "Nothing was imported" in err
    assert report_count(db_url) == 0  # the good file was not half-imported either


@pytest.mark.usefixtures("db_url")
def test_missing_file_and_invalid_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["import", str(tmp_path / "nope.json")]) == 1
    assert "nope.json: no such file" in capsys.readouterr().err
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    assert main(["export"]) == 2
    assert "TIMEZONE" in capsys.readouterr().err


def test_russianwarship_single_record_and_page(db_url: str, tmp_path: Path) -> None:
    record = {
        "date": "2022-04-14",
        "resource": "https://example.org/post",
        "stats": {"personnel_units": 19900, "tanks": 753, "vehicles_fuel_tanks": 1437, "cruise_missiles": 0},
        "increase": {"personnel_units": 100, "tanks": 14, "vehicles_fuel_tanks": 8, "cruise_missiles": 0},
    }
    later = {
        **record,
        "date": "2022-05-02",
        "stats": {"personnel_units": 23500},
        "increase": {"personnel_units": 300},
    }
    page = write(tmp_path, "page.json", json.dumps({"message": "ok", "data": {"records": [record, later]}}))
    assert main(["import", str(page)]) == 0
    engine = make_engine(db_url)
    with reading(engine) as s:
        april = queries.report_on(s, date(2022, 4, 14))
    engine.dispose()
    assert april is not None and april.source_url == "https://example.org/post"
    # Before May 2022 the API's vehicles figure is vehicles only; cruise missiles did not exist yet.
    assert april.totals == {"personnel": 19900, "tanks": 753, "vehicles": 1437}
    assert april.increases == {"personnel": 100, "tanks": 14, "vehicles": 8}


def test_real_datasets_import_with_conflicts_kept(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    need_shared()
    assert main(["import", str(PETROIVANIUK)]) == 0
    assert "1626 reports read; added 1626" in capsys.readouterr().out
    assert main(["import", str(ORC_LOSSES), str(RUSSIANWARSHIP)]) == 0
    out = capsys.readouterr().out
    assert "added 14" in out  # 2026-08-09 … 08-22 exist only in orc-losses
    # 2022-02-27: PetroIvaniuk says 4,500 personnel, orc-losses 4,300: kept as stored, and reported.
    assert "conflict 2022-02-27: stored from petroivaniuk, kept" in out and "personnel 4500 → 4300" in out
    assert "conflicts 99" in out and "--prefer-new" in out
    assert report_count(db_url) == 1626 + 14


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.usefixtures("db_url")
def test_export_import_export_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    need_shared()
    assert main(["import", str(PETROIVANIUK), str(ORC_LOSSES)]) == 0
    first = tmp_path / f"first.{fmt}"
    assert main(["export", "--format", fmt, "-o", str(first)]) == 0
    monkeypatch.setenv("DATABASE_URL", databases.new_database_url(tmp_path, "empty"))
    assert main(["import", str(first)]) == 0
    second = tmp_path / f"second.{fmt}"
    assert main(["export", "--format", fmt, "-o", str(second)]) == 0
    assert first.read_text() == second.read_text()
    assert len(first.read_text().splitlines()) == 1640 + (1 if fmt == "csv" else 0)


@pytest.mark.usefixtures("db_url")
def test_export_jsonl_shape_and_date_filter(capsys: pytest.CaptureFixture[str]) -> None:
    need_shared()
    assert main(["import", str(PETROIVANIUK)]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "jsonl", "--from", "2023-05-28", "--to", "2023-05-28"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == {"date", "totals", "increases", "source", "source_url"}
    assert (obj["date"], obj["totals"]["tanks"], obj["increases"]["tanks"]) == ("2023-05-28", 3797, 3)
    assert "ground_robotic_systems" not in obj["totals"]  # only the figures that exist


@pytest.mark.usefixtures("db_url")
def test_dates_are_read_by_the_one_date_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A day-first date in a file and on the command line, as a command would read it.
    path = write(
        tmp_path, "f.csv", CSV_HEADER + "24.10.2024,mine,,684280,9090,,\n2024-10-25,mine,,685910,9097,,\n"
    )
    assert main(["import", str(path)]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "jsonl", "--from", "25.10.2024", "--to", "25/10/24"]) == 0
    assert [json.loads(line)["date"] for line in capsys.readouterr().out.splitlines()] == ["2024-10-25"]


@pytest.mark.usefixtures("db_url")
def test_a_bad_date_argument_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", "--from", "2024-02-30"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --from: '2024-02-30' is not a date (day is out of range for month)" in err
