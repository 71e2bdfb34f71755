"""The daily summary of a report and its rank alert, rendered from the report's facts in one language.

The facts (bot/answers/facts.report_facts) are read once per report; these pure functions render them per
language and chat thresholds. Both messages fit one Telegram message (4096 characters) in English and in
Ukrainian. The alert is one message per report and chat, listing every category whose increase ranks in
the chat's top N at the time (shared with few other days: facts.MAX_TIES), new records and milestones
on round numbers scaled to the category (facts.milestone_step). They return the text alone: the
broadcaster adds the summary's "📈 chart" button, which the outbox stores with it.
"""

from __future__ import annotations

import html

from bot.answers.facts import REGULAR_FROM, RankFact, ReportFacts
from bot.answers.render import citation_line, figure_line, fit, rank_lines, tie_text
from bot.domain.categories import BY_KEY
from bot.domain.dates import WAR_START, day_number
from bot.i18n import fmt
from bot.i18n.catalog import _


def summary_text(facts: ReportFacts, lang: str, *, corrected: bool = False) -> str:
    """The daily summary: date and day number, every category's total and increase, notable ranks, source."""
    report = facts.report
    lines = [
        _(
            lang,
            "📊 <b>Russia's losses: report of {day}</b> (day {n})",
            day=fmt.day(report.report_date, lang),
            n=day_number(report.report_date),
        )
    ]
    if corrected:
        lines.append(_(lang, "✏️ corrected"))
    lines.append("")
    lines += [figure_line(f, lang) for f in report.figures]
    ranks = rank_lines(facts.notable_ranks(), lang)
    if ranks:
        lines += ["", *ranks]
    lines += ["", citation_line(report.citation, lang)]
    return fit("\n".join(lines), lang)


def _alert_rank_line(r: RankFact, day: str, lang: str) -> str:
    name = html.escape(BY_KEY[r.category].name(lang))
    name = name if lang == "uk" else name[:1].lower() + name[1:]
    increase = fmt.signed(r.increase, lang)
    if r.rank == 1 and r.ties == 0:
        return _(
            lang,
            "🏆 {increase} {category} on {day}: a new all-time record",
            increase=increase,
            category=name,
            day=day,
        )
    if r.rank == 1:
        return _(
            lang,
            "🏆 {increase} {category} on {day}: equals the all-time record{tie}",
            increase=increase,
            category=name,
            day=day,
            tie=tie_text(r.ties, lang),
        )
    extra = tie_text(r.ties, lang)
    if r.rank_since is not None:
        since = fmt.day(REGULAR_FROM, lang)  # a date reads right in both languages; a bare month did not
        extra += _(lang, " ({rank} since {since})", rank=fmt.ordinal(r.rank_since, lang), since=since)
    return _(
        lang,
        "🏅 {increase} {category} on {day}: the {rank}-highest day since {start}{extra}",
        increase=increase,
        category=name,
        day=day,
        rank=fmt.ordinal(r.rank, lang),
        start=fmt.day(WAR_START, lang),
        extra=extra,
    )


def alert_text(
    facts: ReportFacts, lang: str, *, top_personnel: int, top_other: int, corrected: bool = False
) -> str | None:
    """One alert message for a chat with these thresholds, or None when nothing is notable for it."""
    ranks = facts.alert_ranks(top_personnel=top_personnel, top_other=top_other)
    if not ranks and not facts.milestones:
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
    lines += [_alert_rank_line(r, day, lang) for r in ranks]
    lines += [
        _(
            lang,
            "🎯 {category} passed {milestone} (now {total})",
            category=html.escape(BY_KEY[m.category].name(lang)),
            milestone=fmt.number(m.milestone, lang),
            total=fmt.number(m.total, lang),
        )
        for m in facts.milestones
    ]
    lines += ["", citation_line(report.citation, lang)]
    return fit("\n".join(lines), lang)
