"""Loopback fakes of the live sources, for tests and benchmarks.

:class:`FakeSources` runs one aiohttp server on ``127.0.0.1`` (a free port) in a background thread, so it
serves the bot in the test's event loop as well as ``lossbot fetch`` in a subprocess or in ``asyncio.run``.

- ``/api/v2/...``: the russianwarship.rip API (``/statistics/latest``, ``/statistics/{date}``, the paged
  ``/statistics?offset&limit[&date_from&date_to]``) in its real shape, built from the reports the test
  makes :attr:`visible` (so "the report appears at 09:12" is one assignment);
- ``/files/{name}``: files served as they are (the real datasets' bytes, from ../shared).

Every answer carries an ETag; a request that sends it back gets 304. Faults are scripted per path prefix
(:meth:`fail`): an HTTP status, invalid or truncated JSON, an empty body, a renamed key, a slow answer.
Every request is recorded in :attr:`requests` (path and status).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from bot.domain.categories import CATEGORIES, MERGE_DATE
from bot.domain.dates import WAR_START
from bot.domain.report import ReportFigures

Fault = Literal["status", "invalid_json", "truncated", "empty", "renamed_key", "slow"]

_RW_KEYS = {cat.key: key for cat in CATEGORIES for name, key in cat.source_keys if name == "russianwarship"}


def russianwarship_record(report: ReportFigures) -> dict[str, Any]:
    """REPORT as the russianwarship.rip API states it (its keys; vehicles before May 2022 under its
    merged key, as the API does)."""
    stats: dict[str, int] = {}
    increase: dict[str, int] = {}
    for key, total in report.totals.items():
        rw_key = _RW_KEYS.get("vehicles_fuel_tanks" if key == "vehicles" else key)
        if rw_key is None or (key == "vehicles_fuel_tanks" and report.report_date < MERGE_DATE):
            continue
        stats[rw_key] = total
        if key in report.increases:
            increase[rw_key] = report.increases[key]
    return {
        "date": report.report_date.isoformat(),
        "day": (report.report_date - WAR_START).days + 1,
        "resource": report.source_url or "https://www.facebook.com/MinistryofDefence.UA",
        "war_status": {"code": 1, "alias": "in_progress"},
        "stats": stats,
        "increase": increase,
    }


@dataclass
class _Fault:
    kind: Fault
    status: int = 500
    seconds: float = 0.0
    times: int | None = None  # None: every request


class FakeSources:
    """The fake server; use as a context manager. Everything public is thread-safe enough for tests
    (assignments and appends of whole values)."""

    def __init__(self) -> None:
        #: The reports the API has published so far, any order.
        self.visible: list[ReportFigures] = []
        #: Files served under /files/NAME.
        self.files: dict[str, bytes] = {}
        #: (path with query, HTTP status) of every request, in order.
        self.requests: list[tuple[str, int]] = []
        self._faults: dict[str, _Fault] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ what tests set

    def publish(self, reports: Iterable[ReportFigures]) -> None:
        self.visible = [*self.visible, *reports]

    def fail(
        self, prefix: str, kind: Fault, *, status: int = 500, seconds: float = 0.0, times: int | None = None
    ) -> None:
        """Make requests whose path starts with PREFIX fail as KIND (TIMES times, or until `heal`)."""
        self._faults[prefix] = _Fault(kind, status, seconds, times)

    def heal(self) -> None:
        self._faults.clear()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/api/v2"

    def file_url(self, name: str = "") -> str:
        return f"http://127.0.0.1:{self._port}/files/{name}".rstrip("/")

    def statuses(self, prefix: str = "") -> list[int]:
        return [status for path, status in self.requests if path.startswith(prefix)]

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Self:
        ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main(ready)), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeSources did not start within 10 s")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._stop is not None:
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_get("/api/v2/statistics/latest", self._latest)
        app.router.add_get("/api/v2/statistics/{day}", self._day)
        app.router.add_get("/api/v2/statistics", self._listing)
        app.router.add_get("/files/{name}", self._file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(runner.addresses[0][1])
        ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()

    # ------------------------------------------------------------------ answers

    def _sorted(self) -> list[ReportFigures]:
        return sorted(self.visible, key=lambda r: r.report_date)

    async def _latest(self, request: web.Request) -> web.StreamResponse:
        reports = self._sorted()
        if not reports:
            return await self._answer(request, {"message": "No data", "errors": ["none yet"]}, status=404)
        return await self._answer(request, _envelope(russianwarship_record(reports[-1])))

    async def _day(self, request: web.Request) -> web.StreamResponse:
        try:
            day = date.fromisoformat(request.match_info["day"])
        except ValueError:
            return await self._answer(request, {"message": "The given data was invalid."}, status=422)
        for report in self.visible:
            if report.report_date == day:
                return await self._answer(request, _envelope(russianwarship_record(report)))
        return await self._answer(request, {"message": "The given data was invalid."}, status=422)

    async def _listing(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        offset, limit = int(query.get("offset", "0")), int(query.get("limit", "50"))
        first = date.fromisoformat(query["date_from"]) if "date_from" in query else date.min
        last = date.fromisoformat(query["date_to"]) if "date_to" in query else date.max
        chosen = [r for r in self._sorted() if first <= r.report_date <= last]
        page = chosen[offset : offset + limit]
        next_url = (
            f"{self.api_url}/statistics?offset={offset + limit}&limit={limit}"
            if offset + limit < len(chosen)
            else None
        )
        body = {
            "message": "The data were fetched successfully.",
            "data": {"records": [russianwarship_record(r) for r in page], "paging": {"next_url": next_url}},
        }
        return await self._answer(request, body)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        content = self.files.get(request.match_info["name"])
        if content is None:
            return await self._answer(request, {"message": "Not Found"}, status=404)
        return await self._answer(request, None, raw=content)

    async def _answer(
        self, request: web.Request, body: Any, *, status: int = 200, raw: bytes | None = None
    ) -> web.StreamResponse:
        path = request.path_qs
        payload = raw if raw is not None else json.dumps(body).encode()
        fault = next((f for prefix, f in self._faults.items() if request.path.startswith(prefix)), None)
        if fault is not None:
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults = {p: f for p, f in self._faults.items() if f is not fault}
            if fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "status":
                self.requests.append((path, fault.status))
                return web.Response(status=fault.status, text="Server Error")
            else:
                payload = _spoil(payload, fault.kind)
        etag = '"' + hashlib.sha1(payload).hexdigest() + '"'
        if status == 200 and request.headers.get("If-None-Match") == etag:
            self.requests.append((path, 304))
            return web.Response(status=304, headers={"ETag": etag})
        self.requests.append((path, status))
        return web.Response(
            status=status, body=payload, content_type="application/json", headers={"ETag": etag}
        )


def _envelope(record: dict[str, Any]) -> dict[str, Any]:
    return {"message": "The data were fetched successfully.", "data": record}


def _spoil(payload: bytes, kind: Fault) -> bytes:
    if kind == "invalid_json":
        return b"<html>502 Bad Gateway</html>"
    if kind == "truncated":
        return payload[: max(1, len(payload) // 2)]
    if kind == "empty":
        return b""
    if kind == "renamed_key":
        return payload.replace(b'"stats"', b'"statistics"').replace(b'"tanks"', b'"tank_units"')
    return payload


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
