"""Every read the bot needs. Plain SQL expressions that SQLite and PostgreSQL both run. What an answer
needs of the days before it (the rank a day held at the time, sums over a period) is read from the
figures' derived rows (storage/ranks.py, written with the figures): one row instead of every day."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import CompoundSelect, Select, bindparam, func, literal_column, select, union_all
from sqlmodel import Session

from bot.domain.categories import BY_KEY, KEYS
from bot.domain.report import ReportFigures
from storage.db import memoized
from storage.ranks import REGULAR_FROM
from storage.schema import Figure, FigureStat, Report

FIGURE = Figure.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
REPORT = Report.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
STAT = FigureStat.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
_ORDER = {k: i for i, k in enumerate(KEYS)}


@dataclass(frozen=True)
class DayFigure:
    category: str
    total: int
    #: The reported increase ("(+N)"), None when unknown.
    increase: int | None
    #: The difference of totals against the day before, None when that day has no report.
    change: int | None

    @property
    def recount(self) -> bool:
        return self.increase is not None and self.change is not None and self.increase != self.change


@dataclass(frozen=True)
class StoredReport:
    report_date: date
    source: str
    source_url: str | None
    stored_at: datetime
    revision: int
    #: In canonical category order.
    figures: dict[str, DayFigure]

    @property
    def totals(self) -> dict[str, int]:
        return {k: f.total for k, f in self.figures.items()}

    @property
    def increases(self) -> dict[str, int]:
        return {k: f.increase for k, f in self.figures.items() if f.increase is not None}

    def as_figures(self) -> ReportFigures:
        return ReportFigures(self.report_date, self.source, self.totals, self.increases, self.source_url)


def _figures(rows: Sequence[Any]) -> dict[str, DayFigure]:
    figures = [DayFigure(row[0], row[1], row[2], row[3]) for row in rows]
    figures.sort(key=lambda f: _ORDER.get(f.category, len(_ORDER)))
    return {f.category: f for f in figures}


def _report(session: Session, day: date) -> StoredReport | None:
    head = session.execute(
        select(REPORT.c.source, REPORT.c.source_url, REPORT.c.stored_at, REPORT.c.revision).where(
            REPORT.c.report_date == day
        )
    ).first()
    if head is None:
        return None
    rows = session.execute(
        select(FIGURE.c.category, FIGURE.c.total, FIGURE.c.increase, FIGURE.c.change).where(
            FIGURE.c.report_date == day
        )
    ).all()
    return StoredReport(day, head.source, head.source_url, head.stored_at, head.revision, _figures(rows))


def report_on(session: Session, day: date) -> StoredReport | None:
    """The report dated DAY, or None."""
    return _report(session, day)


def report_as_of(session: Session, day: date) -> StoredReport | None:
    """The latest report on or before DAY: the totals as of that date."""
    found = session.execute(
        select(func.max(REPORT.c.report_date)).where(REPORT.c.report_date <= day)
    ).scalar()
    return _report(session, found) if found is not None else None


#: Built once: building a statement costs more than SQLite takes to run these.
_NEWEST = select(func.max(REPORT.c.report_date))
_OLDEST = select(func.min(REPORT.c.report_date))
_COUNT = select(func.count()).select_from(REPORT)


def latest_report(session: Session) -> StoredReport | None:
    found = latest_report_date(session)
    return _report(session, found) if found is not None else None


def latest_report_date(session: Session) -> date | None:
    """The newest report's date: most answers ask for it several times, so a reading session reads it once."""
    value: date | None = memoized(session, "newest", lambda: session.execute(_NEWEST).scalar())
    return value


def first_report_date(session: Session) -> date | None:
    value: date | None = memoized(session, "oldest", lambda: session.execute(_OLDEST).scalar())
    return value


def nearest_reports(session: Session, day: date) -> tuple[date | None, date | None]:
    """The report dates just before and just after DAY (for "no report that day" answers)."""
    before = session.execute(
        select(func.max(REPORT.c.report_date)).where(REPORT.c.report_date < day)
    ).scalar()
    after = session.execute(select(func.min(REPORT.c.report_date)).where(REPORT.c.report_date > day)).scalar()
    return before, after


def sources_between(session: Session, first: date, last: date) -> list[str]:
    """The sources of the reports dated FIRST … LAST, most used first."""
    rows = session.execute(
        select(REPORT.c.source, func.count().label("n"))
        .where(REPORT.c.report_date.between(first, last))
        .group_by(REPORT.c.source)
        .order_by(func.count().desc(), REPORT.c.source)
    )
    return [source for source, _ in rows]


def category_span(session: Session, category: str) -> tuple[date, date] | None:
    """The first and last report dates that carry CATEGORY."""
    # Two scalar subqueries: one index seek each, where min() and max() in one SELECT scan the category.
    first, last = session.execute(
        select(
            select(func.min(FIGURE.c.report_date)).where(FIGURE.c.category == category).scalar_subquery(),
            select(func.max(FIGURE.c.report_date)).where(FIGURE.c.category == category).scalar_subquery(),
        )
    ).one()
    return (first, last) if first is not None else None


def report_count(session: Session) -> int:
    return memoized(session, "count", lambda: int(session.execute(_COUNT).scalar_one()))


# ---------------------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class CategorySum:
    category: str
    #: Losses in the period: the total at its last report minus the total just before it. This agrees
    #: with the totals at the ends even when a recount or a gap falls inside.
    amount: int
    #: The sum of the reported increases of the period's reports, where known.
    reported: int
    #: Reports in the period that carry this category.
    days: int
    #: The category was first reported inside the period, so losses before that are not counted.
    started: date | None = None
    #: For a period that begins with the war: the category's first report and its total then, when it
    #: came later (ground robotic systems, from May 2026). AMOUNT is its whole total, but that first total
    #: holds losses from before it was reported, so the daily average counts from that report on.
    first_reported: tuple[date, int] | None = None

    def daily_average(self) -> float:
        if self.started is None and self.first_reported is None:
            return self.amount / self.days if self.days else 0.0
        # From the first report on: that report's own day adds no increase to what is averaged.
        since = self.amount - (self.first_reported[1] if self.first_reported else 0)
        return since / (self.days - 1) if self.days > 1 else 0.0


@dataclass(frozen=True)
class PeriodSums:
    start: date
    end: date
    #: First and last report dates inside the period (None when it has no report).
    first_report: date | None
    last_report: date | None
    report_days: int
    #: Calendar days of the period (up to its last report) that have no report.
    missing_days: list[date]
    #: Report dates inside the period whose reported increase differs from the difference of totals.
    recount_days: list[date]
    sums: dict[str, CategorySum] = field(default_factory=dict)

    @property
    def calendar_days(self) -> int:
        return (self.end - self.start).days + 1


@lru_cache(maxsize=64)
def _latest_totals_statement(keys: tuple[str, ...], strictly_before: bool) -> CompoundSelect[Any]:
    """One index seek per category (a UNION ALL of LIMIT 1 lookups) rather than grouping every stored
    figure. Built once per set of keys: building the statement costs more than running it."""
    day: Any = bindparam("day")
    parts = []
    for key in keys:
        bound = FIGURE.c.report_date < day if strictly_before else FIGURE.c.report_date <= day
        seek = (
            select(FIGURE.c.category, FIGURE.c.report_date, FIGURE.c.total)
            .where(FIGURE.c.category == key, bound)
            .order_by(FIGURE.c.report_date.desc())
            .limit(1)
            .subquery()
        )
        parts.append(select(*seek.c))
    return union_all(*parts)


def _latest_totals(
    session: Session, keys: Iterable[str], day: date, *, strictly_before: bool = False
) -> dict[str, tuple[date, int]]:
    """Per category of KEYS, the latest total on or before DAY (or strictly before it): date, total."""
    ordered = tuple(sorted(keys))
    if not ordered:
        return {}
    statement = _latest_totals_statement(ordered, strictly_before)
    return {key: (d, total) for key, d, total in session.execute(statement, {"day": day})}


def latest_totals_before(session: Session, keys: Iterable[str], day: date) -> dict[str, tuple[date, int]]:
    """Per category of KEYS, its latest total strictly before DAY: (report date, total)."""
    return _latest_totals(session, keys, day, strictly_before=True)


def window_start(as_of: date, days: int) -> date:
    """The first of the DAYS days that end AS_OF (7: the week up to it, AS_OF included)."""
    return as_of - timedelta(days=days - 1)


def losses_up_to(session: Session, totals: Mapping[str, int], as_of: date, days: int) -> dict[str, int]:
    """Per category of TOTALS (its totals on AS_OF), its losses over the DAYS days up to AS_OF: the total
    less the latest one before them (for a category reported for less time than that, its losses so far)."""
    back = latest_totals_before(session, totals, window_start(as_of, days))
    losses = {}
    for key, total in totals.items():
        first = back.get(key) or first_total(session, key)
        losses[key] = total - first[1] if first is not None else 0
    return losses


@lru_cache(maxsize=32)
def _period_ends_statement(keys: tuple[str, ...]) -> CompoundSelect[Any]:
    """Per category of KEYS, its derived row at the period's end (the latest up to END) and the one just
    before START: a period's sums are their differences. Two index seeks per category; built once."""
    parts = []
    for key in keys:
        ends = (
            ("end", STAT.c.report_date <= bindparam("end")),
            ("before", STAT.c.report_date < bindparam("start")),
        )
        for which, bound in ends:
            seek = (
                select(
                    literal_column(f"'{which}'").label("which"),  # a constant: no parameter to type
                    STAT.c.category,
                    STAT.c.report_date,
                    STAT.c.total,
                    STAT.c.seq,
                    STAT.c.reported_sum,
                )
                .where(STAT.c.category == key, bound)
                .order_by(STAT.c.report_date.desc())
                .limit(1)
                .subquery()
            )
            parts.append(select(*seek.c))
    return union_all(*parts)


@lru_cache(maxsize=1)
def _first_stat_statement() -> Select[Any]:
    return (
        select(STAT.c.report_date, STAT.c.total)
        .where(STAT.c.category == bindparam("category"))
        .order_by(STAT.c.report_date)
        .limit(1)
    )


@lru_cache(maxsize=1)
def _first_stats_statement() -> CompoundSelect[Any]:
    """Every category's first derived row: one index seek per category in one statement. Built once."""
    parts = []
    for key in KEYS:
        seek = (
            select(STAT.c.category, STAT.c.report_date, STAT.c.total)
            .where(STAT.c.category == key)
            .order_by(STAT.c.report_date)
            .limit(1)
            .subquery()
        )
        parts.append(select(*seek.c))
    return union_all(*parts)


def first_totals(session: Session) -> dict[str, tuple[date, int]]:
    """Per category, its first stored figure: date and total. Read at once for all categories (a period
    from the war's start asks it of most of them), once per reading session."""

    def read() -> dict[str, tuple[date, int]]:
        return {key: (day, total) for key, day, total in session.execute(_first_stats_statement())}

    return memoized(session, "first_totals", read)


def _first_reported_late(
    session: Session, category: str, seq: int, reports: int, history_start: date
) -> tuple[date, int] | None:
    """CATEGORY's first report and total, if it came after the war's first report (ground robotic
    systems, from May 2026): that first total holds earlier losses, so averages count from it.
    SEQ (its reports so far) equal to REPORTS (all stored) tells one present throughout, without a query."""
    if seq >= reports:
        return None
    first = first_total(session, category)
    return first if first is not None and first[0] > history_start else None


def _category_sums(
    session: Session, keys: tuple[str, ...], start: date, end: date, history_start: date
) -> dict[str, CategorySum]:
    """Per category of KEYS reported in START … END, its losses there: differences of running sums."""
    rows = session.execute(_period_ends_statement(keys), {"start": start, "end": end}).all()
    at_end = {r.category: r for r in rows if r.which == "end" and r.report_date >= start}
    before = {r.category: r for r in rows if r.which == "before"}
    sums: dict[str, CategorySum] = {}
    reports: int | None = None  # counted once, when a period begins with the war
    for category, last in at_end.items():
        prior = before.get(category)
        started, first_reported = None, None
        if prior is not None:
            base, seq, reported = prior.total, prior.seq, prior.reported_sum
        elif start <= history_start:
            base, seq, reported = 0, 0, 0  # the period starts with the war: every loss so far is in it
            if reports is None:
                reports = report_count(session)
            first_reported = _first_reported_late(session, category, last.seq, reports, history_start)
        else:
            # First reported inside the period: what it already held was lost before.
            first = first_total(session, category)
            assert first is not None  # it has a row at the period's end, so a first one
            started, base = first
            seq, reported = 0, 0
        sums[category] = CategorySum(
            category,
            last.total - base,
            last.reported_sum - reported,
            last.seq - seq,
            started,
            first_reported,
        )
    return dict(sorted(sums.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER))))


def first_total(session: Session, category: str) -> tuple[date, int] | None:
    """CATEGORY's first stored figure: its date and total."""
    if category in BY_KEY:
        return first_totals(session).get(category)
    row = session.execute(_first_stat_statement(), {"category": category}).first()
    return (row[0], row[1]) if row is not None else None


def category_sum(session: Session, category: str, start: date, end: date) -> CategorySum | None:
    """CATEGORY's losses over the reports dated START … END (as in period_sums), None without a figure."""
    history_start = first_report_date(session)
    if history_start is None:
        return None
    return _category_sums(session, (category,), start, end, history_start).get(category)


def period_sums(session: Session, start: date, end: date) -> PeriodSums:
    """Losses per category over the reports dated START … END (inclusive)."""
    in_period = FIGURE.c.report_date.between(start, end)
    span = session.execute(
        select(func.count(), func.min(REPORT.c.report_date), func.max(REPORT.c.report_date)).where(
            REPORT.c.report_date.between(start, end)
        )
    ).one()
    report_days, first, last = int(span[0]), span[1], span[2]
    missing: list[date] = []
    recounts: list[date] = []
    sums: dict[str, CategorySum] = {}
    history_start = first_report_date(session)
    if report_days and history_start is not None:
        # Days before the first report ever stored are not "missing": there was nothing to report yet.
        counted_from = max(start, history_start)
        expected = (last - counted_from).days + 1
        if report_days < expected:
            present = set(
                session.execute(
                    select(REPORT.c.report_date).where(REPORT.c.report_date.between(start, end))
                ).scalars()
            )
            calendar = (counted_from + timedelta(days=i) for i in range(expected))
            missing = [d for d in calendar if d not in present]
        recounts = list(
            session.execute(
                select(FIGURE.c.report_date)
                # Just this condition (NULL <> x is not true), so the partial recount index applies.
                .where(in_period, FIGURE.c.increase != FIGURE.c.change)
                .group_by(FIGURE.c.report_date)
                .order_by(FIGURE.c.report_date)
            ).scalars()
        )
        sums = _category_sums(session, KEYS, start, end, history_start)
    return PeriodSums(start, end, first, last, report_days, missing, recounts, sums)


def daily_average(session: Session, category: str, days: int, *, as_of: date) -> float | None:
    """The average daily loss over the DAYS days ending AS_OF (e.g. 7 or 30), None without data."""
    start = window_start(as_of, days)
    rows = session.execute(
        select(FIGURE.c.report_date, FIGURE.c.total)
        .where(FIGURE.c.category == category, FIGURE.c.report_date.between(start - timedelta(days=1), as_of))
        .order_by(FIGURE.c.report_date)
    ).all()
    if rows and rows[0][0] == start - timedelta(days=1) and len(rows) > 1:
        # The usual case: the day before the window is stored, so the sum is a difference of two totals.
        return float(rows[-1][1] - rows[0][1]) / (len(rows) - 1)
    found = period_sums(session, start, as_of).sums.get(category)
    return found.daily_average() if found else None


@dataclass(frozen=True)
class MonthSum:
    year: int
    month: int
    amount: int
    reports: int


def month_sums(session: Session, category: str, start: date, end: date) -> list[MonthSum]:
    """Losses per calendar month between START and END: differences of the totals at month ends."""
    rows = session.execute(
        select(FIGURE.c.report_date, FIGURE.c.total)
        .where(FIGURE.c.category == category, FIGURE.c.report_date.between(start, end))
        .order_by(FIGURE.c.report_date)
    ).all()
    if not rows:
        return []
    base_row = _latest_totals(session, [category], start, strictly_before=True).get(category)
    history_start = first_report_date(session)
    base = base_row[1] if base_row else (0 if history_start and start <= history_start else rows[0][1])
    result: list[MonthSum] = []
    for day, total in rows:
        if not result or (result[-1].year, result[-1].month) != (day.year, day.month):
            if result:
                base = base + result[-1].amount
            result.append(MonthSum(day.year, day.month, 0, 0))
        current = result[-1]
        result[-1] = MonthSum(current.year, current.month, total - base, current.reports + 1)
    return result


@lru_cache(maxsize=128)
def _year_ends_statement(years: int) -> CompoundSelect[Any]:
    """For year i of a span, a category's last report in [a_i, b_i]: one index seek per year."""
    parts = []
    for i in range(years):
        seek = (
            select(FIGURE.c.report_date, FIGURE.c.total)
            .where(
                FIGURE.c.category == bindparam("category"),
                FIGURE.c.report_date.between(bindparam(f"a{i}"), bindparam(f"b{i}")),
            )
            .order_by(FIGURE.c.report_date.desc())
            .limit(1)
            .subquery()
        )
        parts.append(select(*seek.c))
    return union_all(*parts)


def year_sums(session: Session, category: str, start: date, end: date) -> list[tuple[int, int]]:
    """Losses per calendar year between START and END, as (year, amount): differences of the totals at
    each year's last report, one seek per year."""
    if end < start:
        return []
    spans = [(max(start, date(y, 1, 1)), min(end, date(y, 12, 31))) for y in range(start.year, end.year + 1)]
    params: dict[str, Any] = {"category": category}
    for i, (a, b) in enumerate(spans):
        params[f"a{i}"], params[f"b{i}"] = a, b
    ends = sorted(session.execute(_year_ends_statement(len(spans)), params).all())
    if not ends:
        return []
    base_row = _latest_totals(session, [category], start, strictly_before=True).get(category)
    if base_row is not None:
        base = base_row[1]
    else:
        history_start = first_report_date(session)
        if history_start and start <= history_start:
            base = 0
        else:  # first reported inside the span: what it already held was lost before
            base = session.execute(
                select(FIGURE.c.total)
                .where(FIGURE.c.category == category, FIGURE.c.report_date >= start)
                .order_by(FIGURE.c.report_date)
                .limit(1)
            ).scalar_one()
    result: list[tuple[int, int]] = []
    for day, total in ends:
        result.append((day.year, total - base))
        base = total
    return result


# --------------------------------------------------------------------------------------------- rankings


@dataclass(frozen=True)
class RankedDay:
    rank: int
    report_date: date
    increase: int
    total: int


def top_days(
    session: Session, category: str, n: int, *, start: date | None = None, end: date | None = None
) -> list[RankedDay]:
    """The N days with the highest reported increase, ties ranked as equals (1, 2, 2, 4)."""
    query = (
        select(FIGURE.c.report_date, FIGURE.c.increase, FIGURE.c.total)
        .where(FIGURE.c.category == category, FIGURE.c.increase.is_not(None))
        .order_by(FIGURE.c.increase.desc(), FIGURE.c.report_date)
        .limit(n)
    )
    if start is not None:
        query = query.where(FIGURE.c.report_date >= start)
    if end is not None:
        query = query.where(FIGURE.c.report_date <= end)
    ranked: list[RankedDay] = []
    for position, (day, increase, total) in enumerate(session.execute(query), start=1):
        # Rows come highest first, so every greater increase is already listed: competition ranking.
        rank = ranked[-1].rank if ranked and ranked[-1].increase == increase else position
        ranked.append(RankedDay(rank, day, increase, total))
    return ranked


@dataclass(frozen=True)
class Rank:
    category: str
    report_date: date
    increase: int
    #: 1 = the highest; days with the same increase share a rank.
    rank: int
    #: How many days with a known increase were counted.
    out_of: int
    since: date | None


def rank_at_time(
    session: Session, category: str, day: date, *, since: date | None = None, within: int | None = None
) -> Rank | None:
    """Where DAY's reported increase ranked among the days up to it (optionally from SINCE).

    With WITHIN, None when the rank is worse than that (and the days are not counted at all)."""
    increase = session.execute(
        select(FIGURE.c.increase).where(FIGURE.c.category == category, FIGURE.c.report_date == day)
    ).scalar()
    if increase is None:
        return None
    window = [FIGURE.c.category == category, FIGURE.c.report_date <= day, FIGURE.c.increase.is_not(None)]
    if since is not None:
        window.append(FIGURE.c.report_date >= since)
    # Two counts, so the first is a seek on the (category, increase) index rather than a scan.
    higher = session.execute(select(func.count()).where(*window, FIGURE.c.increase > increase)).scalar_one()
    if within is not None and higher + 1 > within:
        return None
    counted = session.execute(select(func.count()).where(*window)).scalar_one()
    return Rank(category, day, increase, int(higher) + 1, int(counted), since)


@dataclass(frozen=True)
class Standing:
    """Where a day's reported increase ranked at the time, as stored with it (storage/ranks.py)."""

    #: 1 + the days up to it with a greater increase.
    rank: int
    #: The other days up to it with the same increase (they share the rank).
    ties: int
    #: The days with a known increase up to it, itself included.
    out_of: int


@dataclass(frozen=True)
class DayStanding:
    category: str
    #: Counting every day of the war.
    every: Standing
    #: Counting from storage.ranks.REGULAR_FROM; None for a day before it.
    regular: Standing | None


def standings(session: Session, day: date) -> dict[str, DayStanding]:
    """Per category with a known increase on DAY, where it ranked at the time: one indexed read."""
    rows = session.execute(
        select(
            STAT.c.category,
            STAT.c.rank,
            STAT.c.ties,
            STAT.c.known,
            STAT.c.rank_regular,
            STAT.c.ties_regular,
            STAT.c.known_regular,
        ).where(STAT.c.report_date == day, STAT.c.rank.is_not(None))
    )
    found = {}
    for category, rank, ties, known, rank_regular, ties_regular, known_regular in rows:
        regular = None if rank_regular is None else Standing(rank_regular, ties_regular, known_regular)
        found[category] = DayStanding(category, Standing(rank, ties, known), regular)
    return found


@lru_cache(maxsize=4)
def _record_days_statement(with_since: bool) -> CompoundSelect[Any]:
    """Each category's highest increase, then the earliest day with it: two walks from the top of the
    (category, increase) index per category (ordering by increase and date at once would sort every day
    since SINCE). Built once."""
    parts = []
    for key in KEYS:
        g, h = FIGURE.alias("g"), FIGURE.alias("h")
        best_where, day_where = [g.c.category == key], [h.c.category == key]
        if with_since:
            best_where.append(g.c.report_date >= bindparam("since"))
            day_where.append(h.c.report_date >= bindparam("since"))
        best = select(func.max(g.c.increase)).where(*best_where).scalar_subquery()
        first = select(func.min(h.c.report_date)).where(*day_where, h.c.increase == best).scalar_subquery()
        parts.append(
            select(FIGURE.c.category, FIGURE.c.report_date, FIGURE.c.increase, FIGURE.c.total).where(
                FIGURE.c.category == key, FIGURE.c.report_date == first
            )
        )
    return union_all(*parts)


@lru_cache(maxsize=2)
def _stored_records_statement(regular: bool) -> CompoundSelect[Any]:
    """Each category's record from the derived rows: its latest day ranked 1st untied (a later equal day
    is tied, a later greater one is the new record). One seek per category on the record index."""
    rank, ties = (STAT.c.rank_regular, STAT.c.ties_regular) if regular else (STAT.c.rank, STAT.c.ties)
    parts = []
    for key in KEYS:
        latest = (
            select(STAT.c.report_date)
            .where(STAT.c.category == key, rank == 1, ties == 0)
            .order_by(STAT.c.report_date.desc())
            .limit(1)
            .scalar_subquery()
        )
        parts.append(
            select(FIGURE.c.category, FIGURE.c.report_date, FIGURE.c.increase, FIGURE.c.total).where(
                FIGURE.c.category == key, FIGURE.c.report_date == latest
            )
        )
    return union_all(*parts)


def record_days(session: Session, *, since: date | None = None) -> dict[str, RankedDay]:
    """Each category's highest reported increase (the earliest day when tied), counting from SINCE.

    The two rankings stored with the figures (every day, and from REGULAR_FROM) are read from them; any
    other SINCE is counted."""
    if since is None or since == REGULAR_FROM:
        rows = session.execute(_stored_records_statement(since is not None))
    else:
        rows = session.execute(_record_days_statement(True), {"since": since})
    records = {category: RankedDay(1, day, increase, total) for category, day, increase, total in rows}
    return dict(sorted(records.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER))))


# ----------------------------------------------------------------------------------------------- export


def iter_reports(
    session: Session, *, start: date | None = None, end: date | None = None
) -> Iterator[ReportFigures]:
    """Every stored report in date order, as the figures a source would state."""
    where = []
    if start is not None:
        where.append(REPORT.c.report_date >= start)
    if end is not None:
        where.append(REPORT.c.report_date <= end)
    heads = session.execute(
        select(REPORT.c.report_date, REPORT.c.source, REPORT.c.source_url)
        .where(*where)
        .order_by(REPORT.c.report_date)
    ).all()
    fwhere = [FIGURE.c.report_date.between(heads[0][0], heads[-1][0])] if heads else []
    figures: dict[date, list[tuple[str, int, int | None]]] = {}
    for day, key, total, increase in session.execute(
        select(FIGURE.c.report_date, FIGURE.c.category, FIGURE.c.total, FIGURE.c.increase).where(*fwhere)
    ):
        figures.setdefault(day, []).append((key, total, increase))
    for day, source, url in heads:
        rows = sorted(figures.get(day, []), key=lambda r: _ORDER.get(r[0], len(_ORDER)))
        yield ReportFigures(
            day,
            source,
            {k: t for k, t, _ in rows},
            {k: i for k, _, i in rows if i is not None},
            url,
        )


def known_category(key: str) -> bool:
    return key in BY_KEY


@dataclass(frozen=True)
class SeriesDay:
    """One report's figure of a category, for charts."""

    report_date: date
    total: int
    increase: int | None
    change: int | None


def category_series(session: Session, category: str, start: date, end: date) -> list[SeriesDay]:
    """CATEGORY's figures of the reports dated START … END, in date order (days without a figure absent)."""
    rows = session.execute(
        select(FIGURE.c.report_date, FIGURE.c.total, FIGURE.c.increase, FIGURE.c.change)
        .where(FIGURE.c.category == category, FIGURE.c.report_date.between(start, end))
        .order_by(FIGURE.c.report_date)
    ).all()
    return [SeriesDay(*row) for row in rows]
