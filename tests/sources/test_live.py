"""Live sources against loopback fakes of the real formats: catch-up, conditional requests, checks, faults."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from bot.cli.main import main
from bot.moderation.intake import fetch_new
from bot.sources import snapshot
from bot.sources.live import Http, OrcLosses, PetroIvaniuk, RussianWarship
from storage import queries
from storage.db import reading, transaction
from storage.writes import store_reports
from tests.conftest import ORC_LOSSES, PETROIVANIUK, need_shared
from tests.support import databases
from tests.support.fakesources import FakeSources

HISTORY = snapshot.read_snapshot()
BY_DATE = {r.report_date: r for r in HISTORY}
LAST = HISTORY[-1].report_date  # 2026-08-22
TODAY = LAST


def stored_until(engine: Engine, last: date) -> None:
    with transaction(engine) as session:
        store_reports(session, [r for r in HISTORY if r.report_date <= last])


def stored(engine: Engine) -> dict[date, dict[str, int]]:
    with reading(engine) as session:
        return {r.report_date: r.totals for r in queries.iter_reports(session)}


@pytest.fixture
def fake() -> Iterator[FakeSources]:
    with FakeSources() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield Http(client)


async def test_a_store_ten_days_behind_catches_up_from_the_paged_api(
    engine: Engine, fake: FakeSources, http: Http
) -> None:
    stored_until(engine, LAST - timedelta(days=10))
    fake.publish(HISTORY[-60:])
    progress: list[tuple[int, int]] = []
    [run] = await fetch_new(
        engine, [RussianWarship(fake.api_url)], http, today=TODAY, progress=lambda *p: progress.append(p)
    )
    assert run.error is None and run.held == []
    assert run.stored == [LAST - timedelta(days=n) for n in range(9, -1, -1)]
    after = stored(engine)
    for day in run.stored:  # the API's figures, as the snapshot has them (the API lacks no category here)
        expected = {k: v for k, v in BY_DATE[day].totals.items() if k != "ground_robotic_systems"}
        assert {k: v for k, v in after[day].items() if k != "ground_robotic_systems"} == expected
    assert progress[-1] == (10, 10)
    assert any(path.startswith("/api/v2/statistics?") for path, _ in fake.requests)  # paged, not per day


async def test_a_day_behind_costs_one_request_and_a_second_poll_is_answered_not_modified(
    engine: Engine, fake: FakeSources, http: Http
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    fake.publish(HISTORY[-5:])
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert run.stored == [LAST]
    assert [p for p, _ in fake.requests] == ["/api/v2/statistics/latest"]  # latest is the missing day
    [again] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert again.stored == [] and again.fetched == 0
    assert fake.statuses() == [200, 304]  # the poll sent the ETag back; nothing was re-read
    assert http.requests == 2 and http.not_modified == 1


async def test_a_report_that_fails_a_check_is_held_and_not_stored(
    engine: Engine, fake: FakeSources, http: Http
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    wrong = dataclasses.replace(HISTORY[-1], totals={**HISTORY[-1].totals, "tanks": 12_000})  # went down
    fake.publish([*HISTORY[-5:-1], wrong])
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert run.stored == []
    [held] = run.held
    assert held.report.report_date == LAST
    assert [(f.code, f.fields.get("cat")) for f in held.findings] == [("total_down", "tanks")]
    assert LAST not in stored(engine)


async def test_a_future_dated_report_is_held_saying_so(engine: Engine, fake: FakeSources, http: Http) -> None:
    stored_until(engine, LAST)
    tomorrow = dataclasses.replace(HISTORY[-1], report_date=LAST + timedelta(days=1))
    fake.publish([HISTORY[-1], tomorrow])
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert [h.report.report_date for h in run.held] == [LAST + timedelta(days=1)]
    assert "future" in [f.code for f in run.held[0].findings]
    assert max(stored(engine)) == LAST


@pytest.mark.parametrize(
    ("kind", "status", "problem"),
    [
        ("status", 500, "HTTP 500"),
        ("status", 404, "HTTP 404"),
        ("invalid_json", 200, "not JSON"),
        ("truncated", 200, "not JSON"),
        ("empty", 200, "empty body"),
        ("renamed_key", 200, "statistics/latest"),
        ("slow", 200, "no answer in time"),
    ],
)
async def test_a_failing_source_stores_nothing_and_says_where(
    engine: Engine, fake: FakeSources, http: Http, kind: str, status: int, problem: str
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    fake.publish(HISTORY[-3:])
    fake.fail("/api/v2/statistics/latest", kind, status=status, seconds=3.0)  # type: ignore[arg-type]  # a Fault literal
    before = stored(engine)
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert run.error is not None and problem in run.error
    assert f"{fake.api_url}/statistics/latest" in run.error  # names the URL
    assert stored(engine) == before  # nothing written


async def test_after_a_failure_the_second_configured_source_still_delivers(
    engine: Engine, fake: FakeSources, http: Http
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    fake.publish(HISTORY[-3:])
    fake.files["russian-losses.json"] = b'{"not": "the orc-losses shape"}'
    runs = await fetch_new(
        engine,
        [OrcLosses(fake.file_url("russian-losses.json")), RussianWarship(fake.api_url)],
        http,
        today=TODAY,
    )
    assert runs[0].error is not None and "russian-losses.json" in runs[0].error
    assert runs[1].stored == [LAST]


async def test_the_real_dataset_files_catch_up_a_store_that_ends_earlier(
    engine: Engine, fake: FakeSources, http: Http
) -> None:
    need_shared()
    for path in PETROIVANIUK.glob("*.json"):
        fake.files[path.name] = path.read_bytes()
    fake.files[ORC_LOSSES.name] = ORC_LOSSES.read_bytes()
    stored_until(engine, date(2026, 7, 31))
    runs = await fetch_new(
        engine,
        [PetroIvaniuk(fake.file_url()), OrcLosses(fake.file_url(ORC_LOSSES.name))],
        http,
        today=TODAY,
    )
    assert [r.error for r in runs] == [None, None]
    assert runs[0].stored[0] == date(2026, 8, 1) and runs[0].stored[-1] == date(
        2026, 8, 8
    )  # PI ends on the 8th
    assert runs[1].after == date(2026, 8, 8) and runs[1].stored[-1] == LAST  # orc-losses the rest
    after = stored(engine)
    assert all(after[d] == BY_DATE[d].totals for d in runs[0].stored + runs[1].stored)


def test_lossbot_fetch_prints_what_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake: FakeSources
) -> None:
    url = databases.new_database_url(tmp_path, "fetch")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    from storage.db import make_engine

    engine = make_engine(url)
    stored_until(engine, LAST - timedelta(days=2))
    engine.dispose()
    fake.publish(HISTORY[-4:])
    assert main(["fetch", "--source", "russianwarship", "--url", fake.api_url]) == 0
    out = capsys.readouterr().out
    assert f"russianwarship ({fake.api_url}): 2 reports after {LAST - timedelta(days=2)}" in out
    assert f"stored 2: {LAST - timedelta(days=1)}, {LAST}" in out


def test_lossbot_fetch_without_a_source_says_how_to_configure_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", databases.new_database_url(tmp_path, "x"))
    monkeypatch.delenv("SOURCES", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["fetch"]) == 2
    assert "no live source is configured: set SOURCES" in capsys.readouterr().err


async def test_reports_after_a_held_one_wait_for_it(engine: Engine, fake: FakeSources, http: Http) -> None:
    stored_until(engine, LAST - timedelta(days=3))
    held_day = LAST - timedelta(days=2)
    wrong = dataclasses.replace(BY_DATE[held_day], totals={**BY_DATE[held_day].totals, "personnel": 1})
    fake.publish([*HISTORY[-10:-3], wrong, *HISTORY[-2:]])
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert [h.report.report_date for h in run.held] == [held_day]
    assert run.waiting == [LAST - timedelta(days=1), LAST]  # checked against a day not yet settled: not yet
    assert max(stored(engine)) == LAST - timedelta(days=3)


async def test_two_sources_that_disagree_on_the_day_hold_it_with_both_figures(
    engine: Engine, http: Http
) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    with FakeSources() as first, FakeSources() as second:
        first.publish(HISTORY[-5:])
        other = dataclasses.replace(
            HISTORY[-1], totals={**HISTORY[-1].totals, "tanks": HISTORY[-1].totals["tanks"] + 2}
        )
        second.publish([*HISTORY[-5:-1], other])
        [run] = await fetch_new(
            engine, [RussianWarship(first.api_url), RussianWarship(second.api_url)], http, today=TODAY
        )
    [held] = run.held
    [finding] = held.findings
    assert finding.code == "sources_disagree"
    assert finding.fields == {
        "cat": "tanks",
        "source": "russianwarship",
        "theirs": HISTORY[-1].totals["tanks"] + 2,
        "ours": HISTORY[-1].totals["tanks"],
    }
    assert max(stored(engine)) == LAST - timedelta(days=1)  # held, not stored


async def test_sources_that_agree_or_lack_the_day_let_it_through(engine: Engine, http: Http) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    with FakeSources() as first, FakeSources() as second:
        first.publish(HISTORY[-5:])
        second.publish(HISTORY[-5:-1])  # a day behind: nothing to compare with
        [run] = await fetch_new(
            engine, [RussianWarship(first.api_url), RussianWarship(second.api_url)], http, today=TODAY
        )
    assert run.stored == [LAST] and run.held == []


async def test_a_stale_copy_of_the_day_before_is_held(engine: Engine, fake: FakeSources, http: Http) -> None:
    stored_until(engine, LAST - timedelta(days=1))
    copy = dataclasses.replace(HISTORY[-2], report_date=LAST)
    fake.publish([*HISTORY[-5:-1], copy])
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert [f.code for f in run.held[0].findings] == ["stale_repeat"]


async def test_a_report_from_after_tomorrow_is_the_sources_error(
    engine: Engine, fake: FakeSources, http: Http
) -> None:
    """The same limits as `lossbot import`: a live source's report dated two days ahead stores nothing."""
    stored_until(engine, LAST - timedelta(days=2))
    fake.publish(
        [dataclasses.replace(r, report_date=r.report_date + timedelta(days=3)) for r in HISTORY[-2:]]
    )
    [run] = await fetch_new(engine, [RussianWarship(fake.api_url)], http, today=TODAY)
    assert run.error is not None and "is after today" in run.error and "field 'date'" in run.error
    assert max(stored(engine)) == LAST - timedelta(days=2)
