"""Live sources: the same datasets and API the importers read, fetched over HTTP.

Each source answers one question, "which reports after DATE do you have?", with the figures its reader
(`bot/sources/<name>.py`) makes of the real format. Nothing here writes: `bot/moderation/intake.py` checks
what was fetched and stores it. Every failure (timeout, HTTP error, a body that is not the expected JSON,
a changed schema) is a `SourceError` naming the source and the URL, so one source failing never stops the
others and never leaves half a report stored.

Conditional requests: every GET remembers the response's ETag and Last-Modified per URL and sends them
back (If-None-Match / If-Modified-Since); a 304 means "nothing new" and costs the source almost nothing,
which is what lets the morning job poll every few minutes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

from bot.config import Settings
from bot.domain.report import ReportFigures
from bot.sources import orc_losses, petroivaniuk, russianwarship
from bot.sources.common import SourceError, parse_json

log = logging.getLogger(__name__)

#: The largest response body read (the orc-losses file is ~0.8 MB today).
MAX_BODY_BYTES = 50 * 1024 * 1024
#: Page size of the russianwarship.rip `/statistics` listing (what its consumers use).
PAGE_SIZE = 50
#: Past this many missing days, the API's paged listing is cheaper than one request per day.
PAGED_FROM_DAYS = 3


@dataclass
class _Seen:
    """What a URL answered last: its validators, and the data (for files needed whole again)."""

    etag: str | None
    last_modified: str | None
    data: Any


@dataclass
class Http:
    """GETs of JSON over the one shared client, with conditional requests remembered per URL."""

    client: httpx.AsyncClient
    _seen: dict[str, _Seen] = field(default_factory=dict)
    #: How many requests were made and how many the source answered 304 (for the morning job's log).
    requests: int = 0
    not_modified: int = 0

    async def get_json(
        self, url: str, *, params: dict[str, str] | None = None, or_last: bool = False
    ) -> Any | None:
        """The JSON at URL, or None when the source says it has not changed since the last fetch
        (OR_LAST: then the data it answered last time)."""
        key = str(httpx.URL(url, params=params))
        known = self._seen.get(key)
        headers = {"Accept": "application/json"}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        self.requests += 1
        try:
            response = await self.client.get(url, params=params, headers=headers)
        except httpx.TimeoutException:
            raise SourceError(key, "no answer in time") from None
        except httpx.HTTPError as exc:
            raise SourceError(key, f"request failed ({type(exc).__name__})") from None
        if response.status_code == httpx.codes.NOT_MODIFIED and known is not None:
            self.not_modified += 1
            return known.data if or_last else None
        if response.status_code != httpx.codes.OK:
            raise SourceError(key, f"HTTP {response.status_code}")
        body = response.content
        if not body.strip():
            raise SourceError(key, "empty body")
        if len(body) > MAX_BODY_BYTES:
            raise SourceError(key, f"body larger than {MAX_BODY_BYTES // 2**20} MB")
        try:
            data = parse_json(body, key)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(key, f"not JSON ({getattr(exc, 'msg', 'bad encoding')}); truncated?") from None
        self._seen[key] = _Seen(response.headers.get("ETag"), response.headers.get("Last-Modified"), data)
        return data


#: What the dataset readers are told they read; `_read` puts the URL in their errors instead.
RESPONSE = Path("response")


def _read(url: str, read: Callable[[], list[ReportFigures]]) -> list[ReportFigures]:
    """Run a dataset reader on fetched data; its errors name the URL instead of a file."""
    try:
        return read()
    except SourceError as exc:
        raise SourceError(url, exc.problem, record=exc.record, field=exc.field) from None
    except (TypeError, KeyError, AttributeError) as exc:  # a changed schema the reader did not foresee
        raise SourceError(url, f"unexpected shape ({type(exc).__name__}: {exc})") from None


class LiveSource(Protocol):
    name: str
    url: str

    async def reports_after(
        self, http: Http, after: date | None, until: date | None = None
    ) -> list[ReportFigures]:
        """Every report this source has dated after AFTER (all when None) and not after UNTIL (when given).

        A report dated in the future is returned too: the checks hold it, saying so."""
        ...


@dataclass
class RussianWarship:
    """The russianwarship.rip JSON API: `/statistics/latest`, `/statistics/{date}`, paged `/statistics`."""

    url: str
    name: str = "russianwarship"

    async def reports_after(
        self, http: Http, after: date | None, until: date | None = None
    ) -> list[ReportFigures]:
        latest = await self.latest(http)
        if latest is None or (after is not None and latest.report_date <= after):
            return []
        end = latest.report_date if until is None else min(until, latest.report_date)
        if after is not None and (end - after).days <= PAGED_FROM_DAYS:
            # A day or two behind (the usual morning): one small request per day beats a page.
            days = [after + timedelta(days=n) for n in range(1, (end - after).days + 1)]
            found = [latest if d == latest.report_date else await self.day(http, d) for d in days]
            return [r for r in found if r is not None]
        return await self.listing(http, after, end)

    async def latest(self, http: Http) -> ReportFigures | None:
        url = f"{self.url}/statistics/latest"
        data = await http.get_json(url)
        return None if data is None else _one(url, data)

    async def day(self, http: Http, day: date) -> ReportFigures | None:
        url = f"{self.url}/statistics/{day.isoformat()}"
        try:
            data = await http.get_json(url)
        except SourceError as exc:
            if exc.problem in ("HTTP 404", "HTTP 422"):  # no report of that day (a gap in the source)
                return None
            raise
        return None if data is None else _one(url, data)

    async def listing(self, http: Http, after: date | None, until: date) -> list[ReportFigures]:
        """The paged listing from the day after AFTER to UNTIL, following the pages in order."""
        url = f"{self.url}/statistics"
        found: dict[date, ReportFigures] = {}
        offset = 0
        while True:
            params = {"offset": str(offset), "limit": str(PAGE_SIZE), "date_to": until.isoformat()}
            if after is not None:
                params["date_from"] = (after + timedelta(days=1)).isoformat()
            data = await http.get_json(url, params=params)
            page = [] if data is None else _one_or_more(url, data)
            for report in page:
                if after is None or report.report_date > after:
                    found[report.report_date] = report
            if len(page) < PAGE_SIZE:
                return sorted(found.values(), key=lambda r: r.report_date)
            offset += PAGE_SIZE


def _one_or_more(url: str, data: Any) -> list[ReportFigures]:
    return _read(url, lambda: russianwarship.read(RESPONSE, data))


def _one(url: str, data: Any) -> ReportFigures:
    reports = _one_or_more(url, data)
    if len(reports) != 1:
        raise SourceError(url, f"expected one report, got {len(reports)}")
    return reports[0]


@dataclass
class PetroIvaniuk:
    """The PetroIvaniuk dataset's three JSON files, under one base URL."""

    url: str
    name: str = "petroivaniuk"

    async def reports_after(
        self, http: Http, after: date | None, until: date | None = None
    ) -> list[ReportFigures]:
        base = self.url.rstrip("/")
        equipment_url = f"{base}/{petroivaniuk.EQUIPMENT_FILE}"
        # A 304 means "unchanged since this client last read it", not "nothing new for this caller" (the
        # cross-check may have read it a moment ago): a whole-file source always uses the data it has.
        equipment = await http.get_json(equipment_url, or_last=True)
        # The reader joins all three files by date.
        personnel = await http.get_json(f"{base}/{petroivaniuk.PERSONNEL_FILE}", or_last=True)
        try:
            correction = await http.get_json(f"{base}/{petroivaniuk.CORRECTION_FILE}", or_last=True)
        except SourceError as exc:
            log.warning("%s; recount days get the difference of totals as their increase", exc)
            correction = None
        reports = _read(
            base,
            lambda: petroivaniuk.read(
                (RESPONSE, personnel), (RESPONSE, equipment), (RESPONSE, correction) if correction else None
            ),
        )
        return _between(reports, after, until)


@dataclass
class OrcLosses:
    """The orc-losses file: one JSON array, newest first."""

    url: str
    name: str = "orc-losses"

    async def reports_after(
        self, http: Http, after: date | None, until: date | None = None
    ) -> list[ReportFigures]:
        data = await http.get_json(self.url, or_last=True)  # see PetroIvaniuk: a 304 still has data for us
        return _between(_read(self.url, lambda: orc_losses.read(RESPONSE, data)), after, until)


def _between(reports: list[ReportFigures], after: date | None, until: date | None) -> list[ReportFigures]:
    chosen = [
        r
        for r in reports
        if (after is None or r.report_date > after) and (until is None or r.report_date <= until)
    ]
    return sorted(chosen, key=lambda r: r.report_date)


SOURCE_TYPES: dict[str, Callable[[str], LiveSource]] = {
    "russianwarship": RussianWarship,
    "petroivaniuk": PetroIvaniuk,
    "orc-losses": OrcLosses,
}


def configured_sources(
    settings: Settings, *, only: str | None = None, url: str | None = None
) -> list[LiveSource]:
    """The sources SOURCES names, in its order (or just ONLY, at URL when given)."""
    names = [only] if only else list(settings.sources)
    return [SOURCE_TYPES[name](url or settings.source_url(name)) for name in names]


def http_client(settings: Settings) -> httpx.AsyncClient:
    """The one HTTP client every live source shares: timeouts, redirects, and who is asking."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout),
        follow_redirects=True,
        headers={"User-Agent": "lossbot (+https://github.com/lossbot/lossbot)"},
    )
