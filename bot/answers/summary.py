"""The daily summary of a report and its rank alert, as plain functions: (session, report, language) → HTML.

Both fit one Telegram message (4096 characters) in English and in Ukrainian. The alert is one message per
report and chat, listing every category whose increase ranks in the chat's top N at the time, new records
and round-number milestones.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from bot.answers.commands import REGULAR_FROM, fit, rank_lines, source_line
from bot.domain.categories import BY_KEY, Category
from bot.domain.dates import WAR_START, day_number
from bot.i18n import fmt
from bot.i18n.catalog import _
from storage import queries


def _listed(report: queries.StoredReport) -> Iterable[tuple[Category, queries.DayFigure]]:
    """The report's categories as reported: missing ones are absent, new ones present."""
    for key, figure in report.figures.items():
        cat = BY_KEY.get(key)
        if cat is None or (key == "vehicles_fuel_tanks" and "vehicles" in report.figures):
            continue
        yield cat, figure


def summary_text(
    session: Session, report: queries.StoredReport, lang: str, *, corrected: bool = False
) -> str:
    """The daily summary: date and day number, every category's total and increase, notable ranks, source."""
    day = fmt.day(report.report_date, lang)
    lines = [
        _(
            lang,
            "📊 <b>Russia's losses: report of {day}</b> (day {n})",
            day=day,
            n=day_number(report.report_date),
        )
    ]
    if corrected:
        lines.append(_(lang, "✏️ corrected"))
    lines.append("")
    for cat, figure in _listed(report):
        change = f" ({fmt.signed(figure.increase, lang)})" if figure.increase is not None else ""
        lines.append(
            f"{cat.icon} {html.escape(cat.name(lang))}: <b>{fmt.number(figure.total, lang)}</b>{change}"
        )
    ranks = rank_lines(session, report, lang)
    if ranks:
        lines += ["", *ranks]
    lines += ["", source_line(report, lang)]
    return fit("\n".join(lines), lang)


# ------------------------------------------------------------------------------------------------ alerts


@dataclass(frozen=True)
class RankFact:
    category: str
    increase: int
    rank: int
    out_of: int
    #: The rank counting from April 2022 (regular reporting), when it differs.
    rank_since: int | None


@dataclass(frozen=True)
class Milestone:
    category: str
    milestone: int
    total: int


@dataclass(frozen=True)
class AlertFacts:
    """Everything notable in one report, before a chat's thresholds are applied."""

    report: queries.StoredReport
    ranks: tuple[RankFact, ...]
    milestones: tuple[Milestone, ...]

    def for_chat(self, *, top_personnel: int, top_other: int) -> tuple[list[RankFact], list[Milestone]]:
        ranks = [
            r for r in self.ranks if r.rank <= (top_personnel if r.category == "personnel" else top_other)
        ]
        return ranks, list(self.milestones)


def milestone_crossed(category: str, before: int, after: int) -> int | None:
    """The highest multiple of the category's milestone step in (BEFORE, AFTER], if any."""
    cat = BY_KEY.get(category)
    step = cat.milestone_step if cat is not None else None
    if step is None or after <= before:
        return None
    mark = after // step * step
    return mark if mark > before and mark > 0 else None


def alert_facts(session: Session, report: queries.StoredReport, *, max_rank: int = 50) -> AlertFacts:
    """Ranks at the time (up to MAX_RANK) and milestones of REPORT; a chat's thresholds pick from them."""
    ranks: list[RankFact] = []
    milestones: list[Milestone] = []
    for cat, figure in _listed(report):
        if figure.increase is not None and figure.increase > 0:
            rank = queries.rank_at_time(session, cat.key, report.report_date)
            if rank is not None and rank.rank <= max_rank and rank.out_of > 1:
                since = None
                if report.report_date >= REGULAR_FROM:
                    regular = queries.rank_at_time(session, cat.key, report.report_date, since=REGULAR_FROM)
                    if regular is not None and regular.rank != rank.rank:
                        since = regular.rank
                ranks.append(RankFact(cat.key, figure.increase, rank.rank, rank.out_of, since))
        step_from = figure.change if figure.change is not None else figure.increase
        if step_from is not None:
            crossed = milestone_crossed(cat.key, figure.total - step_from, figure.total)
            if crossed is not None:
                milestones.append(Milestone(cat.key, crossed, figure.total))
    return AlertFacts(report, tuple(ranks), tuple(milestones))


def alert_text(
    facts: AlertFacts, lang: str, *, top_personnel: int, top_other: int, corrected: bool = False
) -> str | None:
    """One alert message for a chat with these thresholds, or None when nothing is notable for it."""
    ranks, milestones = facts.for_chat(top_personnel=top_personnel, top_other=top_other)
    if not ranks and not milestones:
        return None
    report = facts.report
    day = fmt.day(report.report_date, lang)
    lines = [
        _(
            lang,
            "🔔 <b>Notable in the report of {day}</b> (day {n})",
            day=day,
            n=day_number(report.report_date),
        )
    ]
    if corrected:
        lines.append(_(lang, "✏️ corrected"))
    lines.append("")
    for r in ranks:
        name = html.escape(BY_KEY[r.category].name(lang))
        name = name if lang == "uk" else name[:1].lower() + name[1:]
        increase = fmt.signed(r.increase, lang)
        if r.rank == 1:
            lines.append(
                _(
                    lang,
                    "🏆 {increase} {category} on {day}: a new all-time record",
                    increase=increase,
                    category=name,
                    day=day,
                )
            )
            continue
        extra = ""
        if r.rank_since is not None:
            since = fmt.month(REGULAR_FROM.year, REGULAR_FROM.month, lang)
            extra = _(lang, " ({rank} since {since})", rank=fmt.ordinal(r.rank_since, lang), since=since)
        lines.append(
            _(
                lang,
                "🏅 {increase} {category} on {day}: the {rank}-highest day since {start}{extra}",
                increase=increase,
                category=name,
                day=day,
                rank=fmt.ordinal(r.rank, lang),
                start=fmt.day(WAR_START, lang),
                extra=extra,
            )
        )
    for m in milestones:
        lines.append(
            _(
                lang,
                "🎯 {category} passed {milestone} (now {total})",
                category=html.escape(BY_KEY[m.category].name(lang)),
                milestone=fmt.number(m.milestone, lang),
                total=fmt.number(m.total, lang),
            )
        )
    lines += ["", source_line(report, lang)]
    return fit("\n".join(lines), lang)
