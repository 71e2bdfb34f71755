"""What the answers say, as plain values: each view is read from the store once, in no language, and
rendered in any language by bot/answers/render.py (the query commands) and bot/answers/summary.py (the
daily summary and the rank alert).

Views hold dates, numbers, category keys and source keys. The storage value types they carry
(DayFigure, RankedDay, CategorySum, Standing) are frozen plain values too. When the store cannot answer, a
builder raises Unanswerable with a Gap saying what is missing, for the caller to explain.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.domain.categories import BY_KEY, CATEGORIES
from bot.domain.periods import Period
from storage import queries, ranks
from storage.queries import CategorySum, DayFigure, DayStanding, RankedDay, Standing, StoredReport

#: "Counting from April 2022" leaves out the irregular reports of the first weeks (see data guide).
REGULAR_FROM = ranks.REGULAR_FROM
#: A day whose increase ranks this high at the time is called out in /day and the daily summary.
NOTABLE_RANK = 10
#: The lowest rank an alert names, whatever a chat's thresholds (/settings allows up to 50).
MAX_ALERT_RANK = 50
#: A rank shared with more other days than this is no distinction: "4th of 975" means little when 41
#: other days had the same +1 (warships: most days with a loss are +1). Two keeps a real near-record
#: (three days at the same high value) and drops the small whole numbers that many days share.
MAX_TIES = 2
#: A rank among fewer days than this says little (the first weeks of the war, a newly reported category).
MIN_RANKED_DAYS = 30

#: Milestones: a total crossing a multiple of a round step scaled to the category (see milestone_step).
#: The step is at least the category's loss over this many days, so at the recent pace each category
#: passes a milestone about once a quarter or less: with 13 categories, a few milestone alerts a month
#: (a 30-day pace gave about one every other day, bench/bench_alerts.py).
MILESTONE_PACE_DAYS = 90
#: And at least a hundredth of the total: a milestone is a round number for the category's size.
MILESTONE_SHARE = 100
#: No milestone below this: "passed 2 submarines" is no round number anyone waits for.
MILESTONE_MIN = 10
#: The round steps: 1, 2 and 5 times a power of ten.
NICE_STEPS = (1, 2, 5)


# ------------------------------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class NoReports:
    """Nothing is stored yet."""


@dataclass(frozen=True)
class NotYet:
    """DAY is after the latest report."""

    day: date
    latest: date


@dataclass(frozen=True)
class NoReportOn:
    """DAY has no report; the nearest report dates before and after it."""

    day: date
    before: date | None
    after: date | None


@dataclass(frozen=True)
class NoReportsIn:
    period: Period


@dataclass(frozen=True)
class NoFigures:
    """CATEGORY has no daily figures in PERIOD (None: ever)."""

    category: str
    period: Period | None


Gap = NoReports | NotYet | NoReportOn | NoReportsIn | NoFigures


class Unanswerable(Exception):
    """The store holds nothing to answer with; GAP says what is missing."""

    def __init__(self, gap: Gap) -> None:
        super().__init__(gap)
        self.gap = gap


def missing_day(session: Session, day: date) -> Gap:
    """Why DAY has no report, with the nearest reports."""
    latest = latest_report_date(session)
    if latest is None:
        return NoReports()
    if day > latest:
        return NotYet(day, latest)
    before, after = queries.nearest_reports(session, day)
    return NoReportOn(day, before, after)


def latest_report_date(session: Session) -> date | None:
    return queries.latest_report_date(session)


def neighbours(session: Session, day: date) -> tuple[date | None, date | None]:
    """The dates of the reports just before and just after DAY (the /day buttons)."""
    return queries.nearest_reports(session, day)


# -------------------------------------------------------------------------------------------- citations


@dataclass(frozen=True)
class Citation:
    """The one report an answer's figures come from."""

    report_date: date
    source: str
    url: str | None


@dataclass(frozen=True)
class Citations:
    """The reports FIRST … LAST an answer's figures come from, and their sources, most used first."""

    first: date
    last: date
    sources: tuple[str, ...]


def citation(report: StoredReport) -> Citation:
    return Citation(report.report_date, report.source, report.source_url)


def citations(session: Session, first: date, last: date) -> Citations:
    return Citations(first, last, tuple(queries.sources_between(session, first, last)))


# ----------------------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ReportView:
    citation: Citation
    #: The report's categories as reported (missing ones absent), in canonical order.
    figures: tuple[DayFigure, ...]

    @property
    def report_date(self) -> date:
        return self.citation.report_date


def _listed(report: StoredReport) -> Iterator[DayFigure]:
    for key, figure in report.figures.items():
        # The merged series stands for vehicles and fuel tanks; before May 2022 list the lines as reported.
        if key not in BY_KEY or (key == "vehicles_fuel_tanks" and "vehicles" in report.figures):
            continue
        yield figure


def report_view(report: StoredReport) -> ReportView:
    return ReportView(citation(report), tuple(_listed(report)))


@dataclass(frozen=True)
class RankFact:
    """Where a day's increase ranked among the days up to it."""

    category: str
    increase: int
    rank: int
    out_of: int
    #: The rank counting from REGULAR_FROM (regular reporting), when it differs.
    rank_since: int | None
    #: The other days up to it with the same increase: they share the rank.
    ties: int = 0

    @property
    def meaningful(self) -> bool:
        """A rank that tells the day apart: among enough days, and shared with few."""
        return self.out_of >= MIN_RANKED_DAYS and self.ties <= MAX_TIES


@dataclass(frozen=True)
class Recount:
    """The total changed by CHANGE while INCREASE was reported."""

    category: str
    change: int
    increase: int


@dataclass(frozen=True)
class Milestone:
    category: str
    milestone: int
    total: int


@dataclass(frozen=True)
class ReportFacts:
    """One report and what is notable in it, before any language or chat threshold: /day, the daily
    summary and the rank alert are rendered from these, so a broadcast reads the ranks once per report."""

    report: ReportView
    #: Every loss (increase > 0) that ranks within MAX_ALERT_RANK at the time, and personnel's at any rank.
    ranks: tuple[RankFact, ...]
    recounts: tuple[Recount, ...]
    milestones: tuple[Milestone, ...]

    def notable_ranks(self) -> tuple[RankFact, ...]:
        """What /day and the summary call out: personnel's rank, and any category's in the top
        NOTABLE_RANK that few other days share."""
        return tuple(
            r for r in self.ranks if r.category == "personnel" or (r.rank <= NOTABLE_RANK and r.meaningful)
        )

    def alert_ranks(self, *, top_personnel: int, top_other: int) -> tuple[RankFact, ...]:
        """What an alert names for a chat with these thresholds: a rank in the chat's top N (at most
        MAX_ALERT_RANK) among at least MIN_RANKED_DAYS days and shared with at most MAX_TIES others. A
        new record is 1st untied, so it always counts."""
        return tuple(
            r
            for r in self.ranks
            if r.meaningful
            and r.rank <= min(MAX_ALERT_RANK, top_personnel if r.category == "personnel" else top_other)
        )


def milestone_step(total: int, recent_loss: int) -> int:
    """The round step a category's milestones are multiples of, scaled to it: the smallest 1, 2 or 5 times
    a power of ten that is at least its loss over the last MILESTONE_PACE_DAYS days (so at the recent
    pace a milestone comes about once a quarter or less), at least a hundredth of its total (a round
    number for its size when it barely moves) and at least MILESTONE_MIN.

    On the real history: personnel every 100,000 from 2023 (200,000 at times of ≈ 1,300 a day), where
    10,000 would come every week and 50,000 every month at ≈ 1,000 a day; tanks every 500–1,000; warships
    (35 in all, a few a year) every 10, so never "passed 35"."""
    floor = max(recent_loss, -(-total // MILESTONE_SHARE), MILESTONE_MIN)
    power = 1
    while True:
        for nice in NICE_STEPS:
            if nice * power >= floor:
                return nice * power
        power *= 10


def milestone_crossed(step: int, before: int, after: int) -> int | None:
    """The highest multiple of STEP in (BEFORE, AFTER], if any."""
    if after <= before:
        return None
    mark = after // step * step
    return mark if mark > before and mark > 0 else None


def _rank(figure: DayFigure, standing: DayStanding | None) -> RankFact | None:
    # A day without a loss is not ranked, however many days shared it ("2nd of 1,073" for a 0).
    if standing is None or figure.increase is None or figure.increase <= 0:
        return None
    every, regular = standing.every, standing.regular
    if figure.category != "personnel" and every.rank > MAX_ALERT_RANK:
        return None
    since = regular.rank if regular is not None and regular.rank != every.rank else None
    return RankFact(figure.category, figure.increase, every.rank, every.out_of, since, every.ties)


def _milestone(figure: DayFigure, recent_loss: int) -> Milestone | None:
    if BY_KEY[figure.category].retired:
        return None
    # The change of totals, when known, so a milestone crossed by a recount counts too.
    step_from = figure.change if figure.change is not None else figure.increase
    if step_from is None:
        return None
    step = milestone_step(figure.total, recent_loss)
    crossed = milestone_crossed(step, figure.total - step_from, figure.total)
    return Milestone(figure.category, crossed, figure.total) if crossed is not None else None


def recent_losses(session: Session, report: StoredReport) -> dict[str, int]:
    """Per category of REPORT, its losses over the MILESTONE_PACE_DAYS days up to it (for a category
    reported for less time than that, its losses so far)."""
    return queries.losses_up_to(session, report.totals, report.report_date, MILESTONE_PACE_DAYS)


def report_facts(session: Session, report: StoredReport) -> ReportFacts:
    view = report_view(report)
    standings = queries.standings(session, report.report_date)
    ranked = (_rank(f, standings.get(f.category)) for f in view.figures)
    recounts = (
        Recount(key, f.change, f.increase)
        for key, f in report.figures.items()
        if f.recount and f.change is not None and f.increase is not None and key in BY_KEY
    )
    recent = recent_losses(session, report)
    milestones = (_milestone(f, recent[f.category]) for f in view.figures)
    return ReportFacts(
        view,
        tuple(r for r in ranked if r is not None),
        tuple(recounts),
        tuple(m for m in milestones if m is not None),
    )


def day(session: Session, report_date: date) -> ReportFacts:
    """/day: the report dated REPORT_DATE."""
    report = queries.report_on(session, report_date)
    if report is None:
        raise Unanswerable(missing_day(session, report_date))
    return report_facts(session, report)


@dataclass(frozen=True)
class FigureOnDay:
    """One category in the report of one day: the one-line answer to "how many tanks yesterday"."""

    figure: DayFigure
    citation: Citation
    #: The day asked for when it has no report: the figure is the latest report's before it.
    instead_of: date | None


def figure_on(session: Session, category: str, asked: date) -> FigureOnDay | None:
    """CATEGORY in the report of ASKED, or of the latest report before it (stale data: "yesterday" when
    the newest report is older); None when that report lacks the category (the full answer says why)."""
    report = queries.report_as_of(session, asked)
    if report is None:
        raise Unanswerable(missing_day(session, asked))
    figure = report.figures.get(category)
    if figure is None:
        return None
    return FigureOnDay(figure, citation(report), asked if asked != report.report_date else None)


# ----------------------------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class CarriedTotal:
    """A category the report does not state (its source lacks it): its latest known total and date."""

    category: str
    total: int
    report_date: date


#: The newest report is late when it is this many days older than today (today's appears in the morning).
LATE_AFTER_DAYS = 2


@dataclass(frozen=True)
class TotalsView:
    report: ReportView
    #: The date asked for when it has no report: the totals are those of the latest report before it.
    instead_of: date | None
    #: Categories of the time the report lacks, with their latest figure before it.
    carried: tuple[CarriedTotal, ...] = ()


def _carried(session: Session, report: StoredReport) -> tuple[CarriedTotal, ...]:
    lacking = [
        cat.key
        for cat in CATEGORIES
        if not cat.retired and cat.active_on(report.report_date) and cat.key not in report.figures
    ]
    known = queries.latest_totals_before(session, lacking, report.report_date)
    return tuple(CarriedTotal(key, known[key][1], known[key][0]) for key in lacking if key in known)


def totals(session: Session, asked: date | None) -> TotalsView:
    """/totals: as of ASKED (None: the latest report)."""
    report = queries.report_as_of(session, asked) if asked else queries.latest_report(session)
    if report is None:
        if asked is not None and queries.report_count(session):
            raise Unanswerable(missing_day(session, asked))
        raise Unanswerable(NoReports())
    instead_of = asked if asked is not None and asked != report.report_date else None
    return TotalsView(report_view(report), instead_of, _carried(session, report))


def late_by(session: Session, today: date) -> int | None:
    """How many days old the newest report is, when that is more than expected (LATE_AFTER_DAYS)."""
    latest = latest_report_date(session)
    age = (today - latest).days if latest is not None else 0
    return age if age >= LATE_AFTER_DAYS else None


# ----------------------------------------------------------------------------------------------- period


@dataclass(frozen=True)
class PeriodView:
    period: Period
    report_days: int
    #: Losses per category as listed (the merged series stands for the retired lines it covers).
    sums: tuple[CategorySum, ...]
    missing_days: tuple[date, ...]
    recount_days: tuple[date, ...]
    #: Categories whose reported increases add up to other than their losses (the totals at the ends).
    differing: tuple[str, ...]
    citations: Citations


def period(session: Session, span: Period) -> PeriodView:
    """/range: losses summed over SPAN."""
    sums = queries.period_sums(session, span.first_day, span.end)
    if sums.first_report is None or sums.last_report is None:
        raise Unanswerable(NoReportsIn(span) if queries.report_count(session) else NoReports())
    merged = "vehicles_fuel_tanks" in sums.sums
    return PeriodView(
        span,
        sums.report_days,
        tuple(s for key, s in sums.sums.items() if not (BY_KEY[key].retired and merged)),
        tuple(sums.missing_days),
        tuple(sums.recount_days),
        tuple(key for key, s in sums.sums.items() if s.amount != s.reported and s.started is None),
        citations(session, sums.first_report, sums.last_report),
    )


# -------------------------------------------------------------------------------------------------- top


@dataclass(frozen=True)
class TopView:
    category: str
    #: None: all time.
    period: Period | None
    days: tuple[RankedDay, ...]
    citations: Citations


def top(session: Session, category: str, n: int, period: Period | None) -> TopView:
    """/top: CATEGORY's N highest days in PERIOD."""
    start, end = (period.start, period.end) if period else (None, None)
    # A day without a loss is not a "top day", however few days had one (submarines: one day in the war).
    days = [d for d in queries.top_days(session, category, n, start=start, end=end) if d.increase > 0]
    if not days:
        raise Unanswerable(NoFigures(category, period) if queries.report_count(session) else NoReports())
    dates = [d.report_date for d in days]
    return TopView(category, period, tuple(days), citations(session, min(dates), max(dates)))


# --------------------------------------------------------------------------------------------- category


@dataclass(frozen=True)
class InLatest:
    """The category in the latest report."""

    total: int
    increase: int | None
    #: Daily averages over 7 and 30 days.
    avg7: float | None
    avg30: float | None
    #: Where the latest day ranked at the time; None when it had no loss (nothing to rank).
    rank: Standing | None


@dataclass(frozen=True)
class NotInLatest:
    """The category is not in the latest report; the first and last reports that carry it."""

    first: date
    last: date


@dataclass(frozen=True)
class InPeriod:
    period: Period
    losses: CategorySum
    best: RankedDay


@dataclass(frozen=True)
class CategoryView:
    category: str
    latest: Citation
    now: InLatest | NotInLatest
    record: RankedDay | None
    #: The period asked for (NoFigures when it has none of the category), None when none was.
    in_period: InPeriod | NoFigures | None
    #: When the next round total would be reached at the 30-day pace (commands.category fills it in).
    estimate: MilestoneEstimate | None = None


def _now(session: Session, category: str, latest: StoredReport) -> InLatest | NotInLatest:
    figure = latest.figures.get(category)
    if figure is None:
        span = queries.category_span(session, category)
        if span is None:
            raise Unanswerable(NoFigures(category, None))
        return NotInLatest(*span)
    day = latest.report_date
    # A day without a loss is not ranked: "2nd of 1,073" would be the 0 most days share.
    lost = figure.increase is not None and figure.increase > 0
    standing = queries.standings(session, day).get(category) if lost else None
    return InLatest(
        figure.total,
        figure.increase,
        queries.daily_average(session, category, 7, as_of=day),
        queries.daily_average(session, category, 30, as_of=day),
        standing.every if standing is not None else None,
    )


def _in_period(session: Session, category: str, period: Period) -> InPeriod | NoFigures:
    losses = queries.category_sum(session, category, period.first_day, period.end)
    best = queries.top_days(session, category, 1, start=period.start, end=period.end)
    if losses is None or not best:
        return NoFigures(category, period)
    return InPeriod(period, losses, best[0])


def category(session: Session, key: str, period: Period | None) -> CategoryView:
    """/category: the category KEY now, its record, and over PERIOD if one is asked for."""
    latest = queries.latest_report(session)
    if latest is None:
        raise Unanswerable(NoReports())
    now = _now(session, key, latest)
    if isinstance(now, NotInLatest):
        # The figures shown are the category's own: cite the last report that carries it, not the latest.
        latest = queries.report_on(session, now.last) or latest
    record = queries.top_days(session, key, 1)
    return CategoryView(
        key,
        citation(latest),
        now,
        record[0] if record else None,
        _in_period(session, key, period) if period is not None else None,
    )


# ---------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class RecordDay:
    category: str
    best: RankedDay
    #: When the record is from the irregular first weeks: the highest day since REGULAR_FROM, if any.
    since_regular: RankedDay | None


@dataclass(frozen=True)
class RecordsView:
    records: tuple[RecordDay, ...]
    citations: Citations
    #: The period the records are of (None: all time).
    period: Period | None = None


def records(session: Session) -> RecordsView:
    """/records: each category's highest reported increase."""
    best = queries.record_days(session)
    if not best:
        raise Unanswerable(NoReports())
    since = queries.record_days(session, since=REGULAR_FROM)
    rows = []
    for key, d in best.items():
        later = since.get(key)
        early = d.report_date < REGULAR_FROM and later is not None and later.increase > 0
        rows.append(RecordDay(key, d, later if early else None))
    dates = [d.report_date for d in best.values()]
    return RecordsView(tuple(rows), citations(session, min(dates), max(dates)))


def records_in(session: Session, span: Period) -> RecordsView:
    """/records PERIOD: each category's highest reported increase within SPAN (categories without a loss
    in it are left out)."""
    rows = []
    for cat in CATEGORIES:
        best = queries.top_days(session, cat.key, 1, start=span.first_day, end=span.end)
        if best and best[0].increase > 0:
            rows.append(RecordDay(cat.key, best[0], None))
    if not rows:
        raise Unanswerable(NoReportsIn(span) if queries.report_count(session) else NoReports())
    dates = [r.best.report_date for r in rows]
    return RecordsView(tuple(rows), citations(session, min(dates), max(dates)), span)


# ---------------------------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class CompareView:
    """/compare: two periods' losses, FIRST measured against SECOND."""

    first: PeriodView
    second: PeriodView


def compare(session: Session, first: Period, second: Period) -> CompareView:
    return CompareView(period(session, first), period(session, second))


# ------------------------------------------------------------------------------- a year earlier, a pace


def year_before(session: Session, day: date) -> ReportView | None:
    """The report of the same day a year before DAY (28 February for a 29th), if one is stored."""
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        earlier = day.replace(year=day.year - 1, day=28)
    report = queries.report_on(session, earlier)
    return report_view(report) if report is not None else None


#: Milestones further ahead than this at the current pace are not estimated: the pace will change.
ESTIMATE_HORIZON_DAYS = 365
#: The estimated milestone is a multiple of a round step (1, 2 or 5 times a power of ten) of at least a
#: twentieth of the total: personnel at 1,475,270 → 1,500,000 (step 100,000), tanks at 12,292 → 13,000.
ESTIMATE_SHARE = 20


def estimate_step(total: int) -> int:
    """The round step an estimated milestone is a multiple of, for a category at TOTAL."""
    floor, power = max(1, -(-total // ESTIMATE_SHARE)), 1
    while True:
        for nice in (1, 2, 5):
            if nice * power >= floor:
                return nice * power
        power *= 10


@dataclass(frozen=True)
class MilestoneEstimate:
    """When the total would reach MILESTONE if the last 30 days' daily average (PACE) held."""

    milestone: int
    day: date
    pace: float


def milestone_estimate(view: CategoryView, today: date) -> MilestoneEstimate | None:
    """The next round total of VIEW's category and the day the 30-day pace would reach it — only when that
    means something: the category is in the latest report, not retired and still losing, and the day is
    after TODAY and within ESTIMATE_HORIZON_DAYS of the latest report."""
    now = view.now
    if not isinstance(now, InLatest) or BY_KEY[view.category].retired or now.avg30 is None or now.avg30 <= 0:
        return None
    step = estimate_step(now.total)
    milestone = (now.total // step + 1) * step
    days = math.ceil((milestone - now.total) / now.avg30)
    if days > ESTIMATE_HORIZON_DAYS:
        return None
    day = view.latest.report_date + timedelta(days=days)
    return MilestoneEstimate(milestone, day, now.avg30) if day > today else None
