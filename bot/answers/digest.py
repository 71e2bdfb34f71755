"""The weekly and monthly digests: which period, its facts read once from the store, and the text.

Like the other answers: facts (a frozen value, read once per period) → pure renderers per language. The
delivery (bot/delivery/broadcaster.py) queues them; /digest shows the latest one on demand.

Decisions:
- The week is the last complete Monday–Sunday week before the day the digest is sent (a Monday); the
  month is the calendar month before the 1st it is sent on. "Previous period" is the week (month) before.
- Sums are those of /range (storage.queries.period_sums): the total at the period's last report minus the
  total just before it, so they agree with the totals whatever gaps or recounts fall inside.
- A period with days missing says so ("6 of 7 days reported") and names them; one without any report
  has no digest (nothing is sent).
- The highest day is personnel's, the headline figure; records are every category's new all-time record
  set in the period (ranked 1st untied at the time).
- The chart: personnel, tanks, artillery and drones, day by day over the period (bot/charts/).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.answers import facts, render
from bot.answers.commands import UsageError, noting_late
from bot.answers.reply import Keyboard, Reply
from bot.charts.request import chart_button, period_code
from bot.domain.categories import BY_KEY, KEYS
from bot.domain.periods import Period, PeriodError, parse_period
from bot.i18n import fmt
from bot.i18n.catalog import _, ngettext
from bot.i18n.texts import COMMANDS, EXAMPLES, usage_line
from storage import digests, queries
from storage.queries import RankedDay

WEEK, MONTH = "week", "month"
PERIODS = (WEEK, MONTH)
#: The categories the digest's chart shows (at most bot.charts.data.MAX_CATEGORIES).
CHART_CATEGORIES = ("personnel", "tanks", "artillery", "uav")
#: The day whose highest increase the digest names.
HEADLINE = "personnel"


@dataclass(frozen=True)
class DigestPeriod:
    kind: str  # WEEK or MONTH
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> DigestPeriod:
        if self.kind == WEEK:
            return DigestPeriod(WEEK, self.first - timedelta(days=7), self.first - timedelta(days=1))
        return month_before(self.first)

    def as_period(self) -> Period:
        return Period(self.first, self.last, "month" if self.kind == MONTH else "range")

    def label(self, lang: str) -> str:
        return self.as_period().label(lang)


def week_before(today: date) -> DigestPeriod:
    """The last complete Monday–Sunday week before TODAY (on a Monday: the seven days up to yesterday)."""
    last = today - timedelta(days=today.weekday() + 1)
    return DigestPeriod(WEEK, last - timedelta(days=6), last)


def month_before(today: date) -> DigestPeriod:
    """The calendar month before TODAY's."""
    last = today.replace(day=1) - timedelta(days=1)
    return DigestPeriod(MONTH, last.replace(day=1), last)


def period_before(kind: str, today: date) -> DigestPeriod:
    return week_before(today) if kind == WEEK else month_before(today)


def is_send_day(kind: str, day: date) -> bool:
    """Weekly digests go out on Mondays, monthly ones on the 1st."""
    return day.weekday() == 0 if kind == WEEK else day.day == 1


# ---------------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class CategoryLine:
    category: str
    amount: int
    #: The same sum over the previous period; None when it has no figure of the category.
    previous: int | None


@dataclass(frozen=True)
class DigestFacts:
    period: DigestPeriod
    #: Reports stored for days of the period, and the period's days without one.
    report_days: int
    missing: tuple[date, ...]
    lines: tuple[CategoryLine, ...]
    highest: RankedDay | None
    records: tuple[digests.RecordDay, ...]
    cited: facts.Citations

    def chart_keyboard(self, lang: str) -> Keyboard:
        """The "📈 chart" button of the period (for /digest; the delivery sends the chart itself)."""
        return chart_button(CHART_CATEGORIES, period_code(self.period.as_period()), lang)


def digest_facts(session: Session, period: DigestPeriod) -> DigestFacts | None:
    """The digest of PERIOD from the store; None when the period has no report."""
    sums = queries.period_sums(session, period.first, period.last)
    if not sums.report_days or sums.first_report is None or sums.last_report is None:
        return None
    before = queries.period_sums(session, *_ends(period.previous()))
    lines = tuple(
        CategoryLine(key, sums.sums[key].amount, before.sums[key].amount if key in before.sums else None)
        for key in KEYS
        if key in sums.sums
    )
    top = queries.top_days(session, HEADLINE, 1, start=period.first, end=period.last)
    return DigestFacts(
        period=period,
        report_days=sums.report_days,
        missing=tuple(sums.missing_days),
        lines=lines,
        highest=top[0] if top else None,
        records=tuple(digests.records_between(session, period.first, period.last)),
        cited=facts.citations(session, sums.first_report, sums.last_report),
    )


def _ends(period: DigestPeriod) -> tuple[date, date]:
    return period.first, period.last


# --------------------------------------------------------------------------------------------- render


def _title(view: DigestFacts, lang: str) -> str:
    label = html.escape(view.period.label(lang))
    if view.period.kind == WEEK:
        return _(lang, "🗓 <b>Weekly digest: Russia's losses, {period}</b>", period=label)
    return _(lang, "🗓 <b>Monthly digest: Russia's losses, {period}</b>", period=label)


def _coverage(view: DigestFacts, lang: str) -> str:
    n, of = view.report_days, view.period.days
    text = ngettext(lang, "{n} of {of} day reported", "{n} of {of} days reported", of, n=n, of=of)
    if view.missing:
        days = ", ".join(fmt.day(d, lang) for d in view.missing[:7])
        text += _(lang, "; no report for {days}", days=days)
    return text


def _line(line: CategoryLine, lang: str) -> str:
    cat = BY_KEY[line.category]
    name = f"{cat.icon} {html.escape(cat.name(lang))}"
    amount = fmt.number(line.amount, lang)
    if line.previous is None:
        return _(lang, "{name}: <b>{amount}</b>", name=name, amount=amount)
    return _(
        lang,
        "{name}: <b>{amount}</b> (before: {previous}, {change})",
        name=name,
        amount=amount,
        change=fmt.signed(line.amount - line.previous, lang),
        previous=fmt.number(line.previous, lang),
    )


def _record_line(record: digests.RecordDay, lang: str) -> str:
    cat = BY_KEY[record.category]
    return _(
        lang,
        "🏆 {day}: {increase} {category}, a new all-time record",
        day=fmt.day(record.report_date, lang),
        increase=fmt.signed(record.increase, lang),
        category=html.escape(cat.name(lang)),
    )


def digest_text(view: DigestFacts, lang: str) -> str:
    """The digest: the period and how many of its days were reported, each category's losses in it and
    the change against the previous period, the highest day, the records, and the reports cited."""
    previous = view.period.previous()
    lines = [_title(view, lang), _coverage(view, lang), ""]
    lines.append(
        _(
            lang,
            "Losses in the period; in brackets, those of {previous} and the change:",
            previous=html.escape(previous.label(lang)),
        )
    )
    lines += [_line(line, lang) for line in view.lines]
    if view.highest is not None:
        lines += [
            "",
            _(
                lang,
                "🔝 Highest day for personnel: {day}, {increase}",
                day=fmt.day(view.highest.report_date, lang),
                increase=fmt.signed(view.highest.increase, lang),
            ),
        ]
    if view.records:
        lines += [*(_record_line(r, lang) for r in view.records)]
    else:
        lines.append(_(lang, "No all-time record was broken in the period."))
    lines += ["", render.citations_line(view.cited, lang)]
    return render.fit("\n".join(lines), lang)


# -------------------------------------------------------------------------------------------- /digest

DIGEST = next(command for command in COMMANDS if command.name == "digest")
WORDS = {"week": WEEK, "weekly": WEEK, "тиждень": WEEK, "month": MONTH, "monthly": MONTH, "місяць": MONTH}


def period_containing(kind: str, day: date) -> DigestPeriod:
    """The Monday–Sunday week, or the calendar month, that DAY is in."""
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return DigestPeriod(WEEK, first, first + timedelta(days=6))
    return month_before(month_before(day).last + timedelta(days=32))


def _usage(lang: str) -> UsageError:
    return UsageError(
        "\n".join(
            [
                _(lang, "Give week or month, and a date if you like; nothing: the last week."),
                _(lang, "Usage: {usage}", usage=html.escape(usage_line(DIGEST, lang))),
                _(lang, "Example: {example}", example=html.escape(_(lang, EXAMPLES["digest"]))),
            ]
        )
    )


def _asked(session: Session, args: str, today: date, lang: str) -> DigestPeriod:
    words = args.lower().split()
    kind = WORDS.get(words[0]) if words else WEEK
    if kind is None or len(words) > 2:
        raise _usage(lang)
    if len(words) == 2:
        try:
            asked = parse_period(words[1], today=today)
        except PeriodError:
            raise _usage(lang) from None
        return period_containing(kind, asked.first_day)
    period = period_before(kind, today)
    latest = queries.latest_report_date(session)
    if latest is not None and latest < period.first:  # nothing stored since: the last one with reports
        period = period_before(kind, latest + timedelta(days=1))
    return period


@noting_late
def digest_command(session: Session, args: str, *, today: date, lang: str) -> Reply:
    """/digest [week|month] [DATE]: the digest of the last complete week (or month), or of the one DATE is
    in, as subscribers get it, so anyone can see one without subscribing; its chart is a button away."""
    period = _asked(session, args, today, lang)
    view = digest_facts(session, period)
    if view is None:
        return Reply(
            _(lang, "No report is stored for {period}: no digest.", period=html.escape(period.label(lang)))
        )
    return Reply(digest_text(view, lang), keyboard=view.chart_keyboard(lang))
