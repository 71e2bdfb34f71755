"""`lossbot import` refuses what cannot exist: dates outside the war, absurd figures, files that never end,
and a same-source re-import that takes back much — with an error naming the place, the store unchanged."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.main import main
from storage import delivery, queries
from storage.db import make_engine, reading
from tests.cli.test_import_cli import CSV_HEADER, report_count, write

GOOD_ROW = "2024-10-25,mine,,685910,9097,1630,7\n"


def kyiv_today() -> date:
    return datetime.now(ZoneInfo("Europe/Kyiv")).date()


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], path: Path, *expected: str) -> str:
    """Import a good file and PATH together: refused as a whole, the error naming EXPECTED, no traceback."""
    good = write(tmp_path, "good.csv", CSV_HEADER + GOOD_ROW)
    assert main(["import", str(good), str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "Nothing was imported" in err and "Traceback" not in err
    for part in expected:
        assert part in err
    return err


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2099-01-01,x,,1,1,,", "line 2: field 'date': 2099-01-01 is after today"),
        ("1900-01-01,x,,1,1,,", "line 2: field 'date': 1900-01-01 is before the war began (2022-02-24)"),
        ("0001-01-01,x,,1,1,,", "field 'date': 0001-01-01 is before the war began"),
        ("9999-12-31,x,,1,1,,", "field 'date': 9999-12-31 is after today"),
        ("2024-10-26,x,,100000000,1,,", "field 'personnel': 100000000 is beyond any possible total"),
        (f"2024-10-26,x,,{2**63},1,,", f"field 'personnel': {2**63} is beyond any possible total"),
        ("2024-10-26,x,,686000,9100,100001,3", "field 'personnel_increase': 100001 is beyond any possible"),
    ],
)
def test_impossible_csv_rows(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, expected: str
) -> None:
    bad = write(tmp_path, "bad.csv", CSV_HEADER + row + "\n")
    refused(tmp_path, capsys, bad, expected)
    assert report_count(db_url) == 0


def test_the_day_of_grace_and_no_more(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Today" differs across time zones: tomorrow (in TIMEZONE) is accepted, the day after is not.
    tomorrow, later = kyiv_today() + timedelta(days=1), kyiv_today() + timedelta(days=2)
    bad = write(tmp_path, "later.csv", CSV_HEADER + f"{later},x,,1,1,,\n")
    refused(tmp_path, capsys, bad, f"field 'date': {later} is after today ({tomorrow} at the latest)")
    ok = write(tmp_path, "tomorrow.csv", CSV_HEADER + f"{tomorrow},x,,1,1,,\n")
    assert main(["import", str(ok)]) == 0
    assert report_count(db_url) == 1


@pytest.mark.usefixtures("db_url")
def test_implied_increases_are_bounded_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No increase column: the increase is implied from the day before, and 5,000,000 in a day cannot be.
    bad = write(tmp_path, "jump.csv", "date,personnel\n2024-10-24,1000\n2024-10-25,5001000\n")
    refused(tmp_path, capsys, bad, "record 2024-10-25: field 'increases.personnel': 5000000 is beyond")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "day.json",
            json.dumps({"data": {"day": 10**9, "stats": {"tanks": 1}}}),
            "record 1: field 'day': day 1000000000 is not a day of the war",
        ),
        (
            "big.json",
            json.dumps({"data": {"date": "2024-01-01", "stats": {"tanks": 2**63}}}),
            f"field 'stats.tanks': {2**63} is beyond any possible total",
        ),
        (
            "orc.json",
            json.dumps([{"date": "9999-12-31", "sourceUri": "u", "tanks": 1}]),
            "record 1: field 'date': 9999-12-31 is after today",
        ),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("deep.jsonl", '{"totals": {}, "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "nested too deeply"),
    ],
)
def test_hostile_json(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, expected: str
) -> None:
    refused(tmp_path, capsys, write(tmp_path, name, content), expected)
    assert report_count(db_url) == 0


def test_every_format_accepts_a_bom(db_url: str, tmp_path: Path) -> None:
    record = {"date": "2024-10-24", "totals": {"tanks": 9090}, "increases": {"tanks": 5}, "source": "x"}
    files = [
        write(tmp_path, "a.jsonl", "\ufeff" + json.dumps(record) + "\n"),
        write(
            tmp_path,
            "b.json",
            "\ufeff" + json.dumps({"data": {"date": "2024-10-25", "stats": {"tanks": 9097}}}),
        ),
        write(tmp_path, "c.csv", "\ufeff" + CSV_HEADER + "2024-10-26,x,,686000,9100,,\n"),
    ]
    for path in files:
        assert main(["import", str(path)]) == 0, path
    assert report_count(db_url) == 3


@pytest.mark.usefixtures("db_url")
def test_devices_and_pipes_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # /dev/zero never ends and a FIFO blocks until a writer comes: neither is opened.
    refused(tmp_path, capsys, Path("/dev/zero"), "not a regular file")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused(tmp_path, capsys, fifo, "not a regular file")


def test_csv_and_jsonl_are_read_line_by_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 2 million short lines made a list of 2 million strings (a 100 MB file peaked at 2.5 GB). Read line by
    # line, the loader holds a line at a time: its peak is far below the file's size.
    record = {"date": "2024-10-24", "totals": {"tanks": 9090}, "increases": {"tanks": 5}, "source": "x"}
    path = tmp_path / "long.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
        out.writelines(itertools.repeat("  \n", 2_000_000))
    tracemalloc.start()
    try:
        assert main(["import", str(path)]) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "1 report read; added 1" in capsys.readouterr().out
    assert report_count(db_url) == 1
    assert peak < path.stat().st_size / 2, f"peak {peak} for a file of {path.stat().st_size} bytes"


@pytest.mark.usefixtures("db_url")
def test_a_line_too_long_to_be_a_report_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = json.dumps({"date": "2024-10-24", "totals": {"tanks": 1}, "source": "x"})
    endless = write(tmp_path, "endless.jsonl", line + "\n" + "{" + " " * (2 * 2**20) + "\n")
    refused(tmp_path, capsys, endless, "a line longer than 1 MB is not a report")


def test_a_packed_export_with_a_bom_is_read(db_url: str, tmp_path: Path) -> None:
    record = {"date": "2024-10-24", "totals": {"tanks": 9090}, "increases": {"tanks": 5}, "source": "x"}
    packed = tmp_path / "history.jsonl.gz"
    packed.write_bytes(gzip.compress(("\ufeff" + json.dumps(record) + "\n").encode()))
    assert main(["import", str(packed)]) == 0
    assert report_count(db_url) == 1


def test_a_sharp_drop_from_the_same_source_is_a_conflict(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path, "first.csv", CSV_HEADER + GOOD_ROW)
    assert main(["import", str(first)]) == 0
    # A recount that takes back a handful is an update; 100,000 personnel taken back is not.
    small = write(tmp_path, "small.csv", CSV_HEADER + "2024-10-25,mine,,685900,9097,1620,7\n")
    assert main(["import", str(small)]) == 0
    assert "updated 1" in capsys.readouterr().out
    sharp = write(tmp_path, "sharp.csv", CSV_HEADER + "2024-10-25,mine,,585900,9097,1620,7\n")
    assert main(["import", str(sharp)]) == 0
    out = capsys.readouterr().out
    assert "conflicts 1" in out and "personnel 685900 → 585900" in out and "--prefer-new" in out

    def personnel() -> int:
        engine = make_engine(db_url)
        with reading(engine) as s:
            stored = queries.report_on(s, date(2024, 10, 25))
        engine.dispose()
        assert stored is not None
        return stored.totals["personnel"]

    assert personnel() == 685_900  # kept as stored
    assert main(["import", "--prefer-new", str(sharp)]) == 0
    assert personnel() == 585_900


def test_summary_send_refuses_a_report_from_the_future(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tomorrow is importable (the day of grace) but is not today's report: nothing is queued or sent.
    tomorrow = kyiv_today() + timedelta(days=1)
    assert main(["import", str(write(tmp_path, "t.csv", CSV_HEADER + f"{tomorrow},x,,1,1,,\n"))]) == 0
    monkeypatch.setenv("BOT_TOKEN", "123:never-used")
    with pytest.raises(SystemExit) as info:
        main(["summary", "--send"])
    assert f"the report of {tomorrow} is dated after today" in str(info.value.code)
    engine = make_engine(db_url)
    with reading(engine) as s:
        assert delivery.latest_post(s) is None and delivery.owed(s) == 0
    engine.dispose()
