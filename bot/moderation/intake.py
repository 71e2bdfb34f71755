"""Reports from the live sources enter the store through the checks a moderator's post goes through.

For each configured source in order: ask for every report after the newest stored one, check each with
`make_preview` (the same findings a moderator sees), and store it, one report per transaction, in date
order. The first report with an error finding is held and the fetch of that source stops there: each
report is checked against the day before it, so the later ones wait until a moderator has settled it. A
held report is never stored automatically; it is listed, with its findings, for moderators (`lossbot
fetch` prints them; the bot tells moderators). A source that fails is logged with its URL and the next
source is asked; nothing it sent is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine

from bot.domain.report import ReportFigures
from bot.moderation.workflow import Finding, make_preview
from bot.sources.common import SourceError, check_reports
from bot.sources.compare import compare
from bot.sources.live import Http, LiveSource
from storage import queries
from storage.db import reading, transaction
from storage.writes import store_reports

log = logging.getLogger(__name__)

#: Called as reports are checked during a long catch-up: (done, to do).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Held:
    """A fetched report that failed a check: moderators decide."""

    report: ReportFigures
    findings: list[Finding]


@dataclass
class SourceRun:
    """What one source gave in one fetch."""

    source: str
    url: str
    after: date | None
    fetched: int = 0
    stored: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    #: Later reports left unchecked behind a held one: each is checked against the day before it, so
    #: none can be trusted until a moderator has settled the held day.
    waiting: list[date] = field(default_factory=list)
    #: Dates whose figures another source stored differently (kept as stored, see `lossbot import`).
    conflicts: list[date] = field(default_factory=list)
    error: str | None = None


def _up_to_date(engine: Engine, today: date) -> bool:
    newest = newest_stored(engine)
    return newest is not None and newest >= today - timedelta(days=1)


def newest_stored(engine: Engine) -> date | None:
    with reading(engine) as session:
        latest = queries.latest_report(session)
    return latest.report_date if latest else None


def check_and_store(
    engine: Engine, report: ReportFigures, today: date, run: SourceRun, *, review: bool = False
) -> None:
    """Store REPORT if it passes every check (and REVIEW is off), else hold it; one transaction."""
    with transaction(engine) as session:
        preview = make_preview(
            session,
            report_date=report.report_date,
            totals=report.totals,
            increases=report.increases,
            today=today,
        )
        if preview.has_errors or review:
            run.held.append(Held(report, [f for f in preview.findings if f.severity == "error"]))
            return
        summary = store_reports(session, [report])
    run.stored += summary.added + summary.updated
    run.unchanged += summary.unchanged
    run.conflicts += [c.report_date for c in summary.conflicts]


async def _other_views(
    http: Http, others: Sequence[LiveSource], reports: Sequence[ReportFigures]
) -> list[tuple[str, dict[date, ReportFigures]]]:
    """What the other configured sources say of the same days (one request each), to cross-check."""
    if not reports or not others:
        return []
    first, last = reports[0].report_date, reports[-1].report_date
    views = []
    for other in others:
        try:
            found = await other.reports_after(http, first - timedelta(days=1), last)
        except SourceError as exc:
            log.info("cross-check with %s skipped: %s", other.name, exc)
            continue
        views.append((other.name, {r.report_date: r for r in found}))
    return views


def _disagreements(
    report: ReportFigures, others: list[tuple[str, dict[date, ReportFigures]]]
) -> list[Finding]:
    """Each total another source states differently for the same day (a source that lacks the day, or
    the category, has nothing to disagree with)."""
    findings = []
    for name, by_date in others:
        theirs = by_date.get(report.report_date)
        if theirs is None:
            continue
        for d in compare([report], [theirs]).disagreements:
            fields = {"cat": d.category, "source": name, "theirs": d.theirs, "ours": d.ours}
            findings.append(Finding("sources_disagree", "error", fields))
    return findings


async def fetch_new(
    engine: Engine,
    sources: Sequence[LiveSource],
    http: Http,
    *,
    today: date,
    only: date | None = None,
    progress: Progress | None = None,
    review: bool = False,
) -> list[SourceRun]:
    """Ask the sources for what the store lacks (or for the report of ONLY) and store what passes.

    The sources are asked in order; a later one only when those before it failed or left the store
    behind (its newest report older than yesterday, e.g. a dataset that stopped updating): the later ones
    are fallbacks, so a normal poll costs one request. REVIEW: store nothing, hold every report."""
    runs: list[SourceRun] = []
    for source in sources:
        if runs and runs[-1].error is None and _up_to_date(engine, today):
            break
        after = newest_stored(engine) if only is None else only - timedelta(days=1)
        run = SourceRun(source.name, source.url, after)
        runs.append(run)
        try:
            reports = await source.reports_after(http, after, only)
            check_reports(source.url, reports, today)  # a report from tomorrow+ is the source's error
        except SourceError as exc:
            run.error = str(exc)
            log.warning("source %s failed: %s", source.name, exc)
            continue
        run.fetched = len(reports)
        others = await _other_views(http, [s for s in sources if s is not source], reports)
        for done, report in enumerate(reports, start=1):
            disagreements = _disagreements(report, others)
            if disagreements:
                run.held.append(Held(report, disagreements))
            else:
                check_and_store(engine, report, today, run, review=review)
            if progress is not None:
                progress(done, len(reports))
            if run.held:
                run.waiting = [r.report_date for r in reports[done:]]
                break
        if run.stored or run.held:
            log.info(
                "source %s: %d fetched, stored %s, held %s",
                source.name,
                run.fetched,
                [d.isoformat() for d in run.stored],
                [h.report.report_date.isoformat() for h in run.held],
            )
    return runs
