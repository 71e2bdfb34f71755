"""The moderators' workflow without Telegram: check a report against the store (a preview with findings),
publish it, correct one figure, and render what a moderator reads.

Publishing is one transaction: claim the preview (compare-and-set), check that the stored data is still
what the preview was computed from, store the report (`storage.writes.store_reports`, which keeps the
difference of totals of that day and the next right), and add the audit row. The database refuses a second
revision with the same number, so a race between two moderators leaves exactly one.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from sqlmodel import Session

from bot.answers.render import fit_items
from bot.domain import bounds, parse_warning
from bot.domain.categories import BY_KEY, KEYS, MERGE_DATE, category
from bot.domain.parse_warning import ParseWarning, quote
from bot.domain.parser import ParsedReport
from bot.domain.report import ReportFigures
from bot.i18n import fmt
from bot.i18n.catalog import N_, _
from storage import moderation as store
from storage import queries, schema
from storage.schema import PreviewStatus, RevisionAction
from storage.writes import store_reports

Severity = Literal["error", "warning", "info"]

#: History window, in days, from which plausible daily values are derived.
WINDOW_DAYS = 90
#: A window needs this many daily values before it can call a value implausible.
MIN_HISTORY = 14
#: Upper bound of a plausible daily value: the larger of QUANTILE × FACTOR and median + K × MAD (scaled to a
#: standard deviation), plus SLACK for categories that are mostly 0 (aircraft, ships).
QUANTILE, FACTOR, MAD_K, SLACK = 0.95, 2.5, 10.0, 5
#: Pending previews older than this are stale.
PREVIEW_TTL = timedelta(hours=24)

MODERATOR_SOURCE = "moderator"
#: A parser warning longer than this is cut (the preview must fit one message, see `render_preview`).
MAX_WARNING = 300
#: Items of a list a parser warning names (dates, categories) shown before "… and N more".
MAX_LISTED = 8


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    fields: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    category: str
    total: int
    increase: int | None
    #: The total of the latest stored report before this one, and the difference from it.
    previous: int | None
    difference: int | None


@dataclass
class Preview:
    report_date: date
    action: RevisionAction
    totals: dict[str, int]
    increases: dict[str, int]
    previous_date: date | None
    lines: list[Line]
    findings: list[Finding]
    #: The stored revision of this date (None when not published yet): publishing makes a correction.
    stored_revision: int | None
    stored_source: str | None
    fingerprint: str

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def correction(self) -> bool:
        return self.stored_revision is not None


def plausible_bound(values: list[int], days: int = 1) -> int | None:
    """The largest plausible value over DAYS days given a category's recent daily VALUES, or None when
    there is too little history to judge."""
    if len(values) < MIN_HISTORY:
        return None
    ordered = sorted(values)
    median = statistics.median(ordered)
    mad = statistics.median(abs(v - median) for v in ordered) * 1.4826
    high = ordered[min(len(ordered) - 1, int(QUANTILE * len(ordered)))]
    return int(max(high * FACTOR, median + MAD_K * mad) * max(days, 1)) + SLACK


def make_preview(
    session: Session,
    *,
    report_date: date,
    totals: dict[str, int],
    increases: dict[str, int],
    today: date,
    action: RevisionAction = RevisionAction.PUBLISH,
    parser_warnings: Sequence[str | ParseWarning] | None = None,
    date_in_text: bool = True,
    figure_lines: Mapping[str, str] | None = None,
) -> Preview:
    """Compare a report with the store and list what a moderator should look at before publishing.

    FIGURE_LINES (category -> the line of the text it was read from, as the parser gives them) lets each
    finding about a figure say where in the text it came from.

    Raises `bounds.ImpossibleReport` for a report that cannot exist (no preview is made: it could never be
    published, not even "anyway")."""
    bounds.check_report(report_date, totals, increases, today)
    stored = queries.report_on(session, report_date)
    before = queries.report_as_of(session, report_date - timedelta(days=1))
    findings = _report_findings(report_date, today, date_in_text, stored, totals, increases)
    gap = (report_date - before.report_date).days if before else 1
    history = store.recent_increases(session, report_date, days=WINDOW_DAYS)
    lines = [_line(key, totals, increases, before) for key in _ordered(totals)]
    for line in lines:
        where = (figure_lines or {}).get(line.category)
        findings += [_at(f, where) for f in _line_findings(line, gap, history.get(line.category, []))]
    if before is not None:
        findings += _category_findings(before, totals, report_date)
        if totals and before.totals == totals:
            # Not one figure moved since the day before: a copy of the previous report (a relay that
            # re-posted yesterday's text, a source that has not updated yet), never a real day.
            findings.append(Finding("stale_repeat", "error", {"day": before.report_date}))
    findings += _parser_findings(parser_warnings or [])
    return Preview(
        report_date=report_date,
        action=action,
        totals=dict(totals),
        increases=dict(increases),
        previous_date=before.report_date if before else None,
        lines=lines,
        findings=findings,
        stored_revision=stored.revision if stored else None,
        stored_source=stored.source if stored else None,
        fingerprint=store.state_fingerprint(session, report_date),
    )


def preview_of_parsed(session: Session, parsed: ParsedReport, *, today: date) -> Preview:
    """The preview of a report read from a moderator's text: its figures, with what the reading noticed
    and the lines each figure came from."""
    return make_preview(
        session,
        report_date=parsed.report_date,
        totals=parsed.totals,
        increases=parsed.increases,
        today=today,
        parser_warnings=parsed.notes,
        date_in_text=parsed.date_in_text,
        figure_lines=parsed.lines,
    )


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_WARNING else text[: MAX_WARNING - 1] + "…"


def _report_findings(
    report_date: date,
    today: date,
    date_in_text: bool,
    stored: queries.StoredReport | None,
    totals: dict[str, int],
    increases: dict[str, int],
) -> list[Finding]:
    """Findings about the report as a whole: its date, and what is stored for it already."""
    findings: list[Finding] = []
    if report_date > today:
        findings.append(Finding("future", "error", {"day": report_date, "today": today}))
    if not date_in_text:
        findings.append(Finding("date_guessed", "warning", {"day": report_date}))
    if stored is not None:
        findings.append(Finding("correction", "info", {"revision": stored.revision, "source": stored.source}))
        if stored.totals == totals and stored.increases == increases:
            findings.append(Finding("same_as_stored", "info"))
    return findings


def _line(
    key: str, totals: dict[str, int], increases: dict[str, int], before: queries.StoredReport | None
) -> Line:
    previous = before.totals.get(key) if before else None
    difference = None if previous is None else totals[key] - previous
    return Line(key, totals[key], increases.get(key), previous, difference)


def _at(finding: Finding, line: str | None) -> Finding:
    """FINDING, saying which LINE of the text its figure came from (when the text is known)."""
    return (
        Finding(finding.code, finding.severity, {**finding.fields, "line": quote(line)}) if line else finding
    )


def _parser_findings(warnings: Sequence[str | ParseWarning]) -> list[Finding]:
    # The parser's "increase above the total" is the preview's own error (with its line): not said twice.
    # A warning may quote a pasted line of any length: a plain one is cut here, before it is escaped.
    return [
        Finding("parser", "warning", {"text": _shortened(warning) if isinstance(warning, str) else warning})
        for warning in warnings
        if not (isinstance(warning, ParseWarning) and warning.message == parse_warning.SWAPPED)
    ]


def _line_findings(line: Line, gap: int, history: list[int]) -> list[Finding]:
    """Findings about one category's figures: against each other, the day before, and recent days."""
    key, total, increase, difference = line.category, line.total, line.increase, line.difference
    findings: list[Finding] = []
    if increase is not None and increase > total:
        # A day's losses above the war's total: the text's two numbers are swapped, or one is a typo.
        findings.append(
            Finding("increase_above_total", "error", {"cat": key, "inc": increase, "total": total})
        )
    if difference is not None and difference < 0:
        findings.append(Finding("total_down", "error", {"cat": key, "old": line.previous, "new": total}))
    if difference is not None and increase is not None and gap == 1 and increase != difference:
        findings.append(
            Finding("increase_mismatch", "warning", {"cat": key, "inc": increase, "diff": difference})
        )
    for value, days in ((increase, 1), (difference, gap)):
        bound = plausible_bound(history, days)
        if value is not None and bound is not None and value > bound:
            findings.append(Finding("implausible", "error", {"cat": key, "value": value, "bound": bound}))
            break
    return findings


def _category_findings(
    before: queries.StoredReport, totals: dict[str, int], report_date: date
) -> list[Finding]:
    """Categories the report before had and this one lacks, and categories new in this one."""
    merged = before.report_date < MERGE_DATE <= report_date  # vehicles + fuel tanks became one line
    missing = [k for k in before.totals if k not in totals and BY_KEY[k].active_on(report_date)]
    if merged:
        missing = [k for k in missing if k not in ("vehicles", "fuel_tanks")]
    new = [k for k in totals if k not in before.totals and not (merged and k == "vehicles_fuel_tanks")]
    return [Finding("missing", "warning", {"cat": k}) for k in missing] + [
        Finding("new", "warning", {"cat": k}) for k in new
    ]


def _ordered(totals: dict[str, int]) -> list[str]:
    known = [k for k in KEYS if k in totals]
    return known + [k for k in totals if k not in known]


def save_preview(
    session: Session,
    preview: Preview,
    *,
    chat_id: int,
    moderator_id: int,
    raw_text: str,
    now: datetime,
    source: str = MODERATOR_SOURCE,
    source_url: str | None = None,
) -> int:
    """Keep PREVIEW until a moderator publishes or cancels it; returns its id (used in the buttons).

    SOURCE: where the figures came from, kept when published (a live source's report held for review
    is published as that source's, with its URL)."""
    return store.add_preview(
        session,
        schema.PendingPreview(
            chat_id=chat_id,
            moderator_id=moderator_id,
            created_at=now,
            report_date=preview.report_date,
            action=preview.action,
            raw_text=raw_text,
            figures={
                "totals": preview.totals,
                "increases": preview.increases,
                "source": source,
                "source_url": source_url,
            },
            has_errors=preview.has_errors,
            base_fingerprint=preview.fingerprint,
        ),
    )


class CorrectionError(ValueError):
    """/correct cannot be applied; MESSAGE (a catalog message, untranslated) and its FIELDS say why."""

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


def corrected_figures(
    session: Session, day: date, category_key: str, total: int, increase: int | None
) -> tuple[dict[str, int], dict[str, int]]:
    """The stored report of DAY with one category's total (and, when given, reported increase) replaced."""
    stored = queries.report_on(session, day)
    if stored is None:
        raise CorrectionError(
            N_("No report of {day} is stored: there is nothing to correct. Send the report text instead."),
            day=day,
        )
    totals, increases = stored.totals, stored.increases
    totals[category_key] = total
    if increase is not None:
        increases[category_key] = increase
    return totals, increases


# --------------------------------------------------------------------------------------------- publish


class OutcomeStatus(StrEnum):
    """What became of a moderator's Publish or Cancel."""

    PUBLISHED = "published"
    #: The preview has errors: publishing it needs "Publish anyway".
    NEEDS_CONFIRMATION = "needs_confirmation"
    CANCELLED = "cancelled"
    #: The preview was no longer open: a double tap, or another moderator closed it first.
    CLOSED = "closed"
    #: The stored data changed since the preview was shown: nothing was published.
    STALE = "stale"
    #: The preview is older than PREVIEW_TTL (closed by the periodic job, or found so at the tap).
    EXPIRED = "expired"
    #: The figures were stored already, exactly so.
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    report_date: date | None = None
    revision: int | None = None
    correction: bool = False
    #: For closed/stale: who closed the preview or published the current revision, and its state.
    other_moderator: int | None = None
    previous_status: PreviewStatus | None = None


def publish(
    session: Session, preview_id: int, *, moderator_id: int, now: datetime, force: bool = False
) -> Outcome:
    """Publish preview PREVIEW_ID in the caller's transaction. FORCE confirms a preview with errors."""
    # Compare-and-set first: the write takes the database's write lock before anything is read, so two
    # publishers are serialised and see each other's work.
    claimed = store.close_preview(session, preview_id, PreviewStatus.PUBLISHED, by=moderator_id, at=now)
    preview = store.get_preview(session, preview_id)
    if preview is None:
        return Outcome(OutcomeStatus.NOT_FOUND)
    day = preview.report_date
    if not claimed:
        return _not_open(preview, now)
    if preview.has_errors and not force:
        preview.status, preview.closed_by, preview.closed_at = PreviewStatus.PENDING, None, None
        session.flush()
        return Outcome(OutcomeStatus.NEEDS_CONFIRMATION, day)
    if _expired(preview, now):
        preview.status = PreviewStatus.STALE
        session.flush()
        return Outcome(OutcomeStatus.EXPIRED, day)
    if store.state_fingerprint(session, day) != preview.base_fingerprint:
        preview.status = PreviewStatus.STALE
        session.flush()
        last = store.revisions_of(session, day)
        return Outcome(
            OutcomeStatus.STALE,
            day,
            revision=store.report_revision(session, day),
            other_moderator=last[-1].moderator_id if last else None,
        )
    before = store.report_revision(session, day)
    figures = preview.figures
    # Previews are made only of possible reports; this keeps one saved before the limits from slipping by.
    bounds.check_report(day, figures["totals"], figures["increases"], None)
    summary = store_reports(
        session,
        [
            ReportFigures(
                day,
                figures.get("source") or MODERATOR_SOURCE,
                dict(figures["totals"]),
                dict(figures["increases"]),
                figures.get("source_url"),
            )
        ],
        prefer_new=True,
        now=now,
    )
    if not summary.changed_anything:
        preview.status = PreviewStatus.CANCELLED
        session.flush()
        return Outcome(OutcomeStatus.UNCHANGED, day, revision=before)
    revision = store.report_revision(session, day)
    assert revision is not None
    store.add_revision(
        session,
        schema.ReportRevision(
            report_date=day,
            revision=revision,
            moderator_id=moderator_id,
            created_at=now,
            action=preview.action,
            raw_text=preview.raw_text,
            figures=figures,
        ),
    )
    return Outcome(OutcomeStatus.PUBLISHED, day, revision=revision, correction=before is not None)


def lost_race(session: Session, preview_id: int, *, now: datetime) -> Outcome:
    """After the database refused a publish (another moderator's revision won): mark it stale, say who."""
    store.close_preview(session, preview_id, PreviewStatus.STALE, by=0, at=now)
    preview = store.get_preview(session, preview_id)
    if preview is None:
        return Outcome(OutcomeStatus.NOT_FOUND)
    last = store.revisions_of(session, preview.report_date)
    return Outcome(
        OutcomeStatus.STALE,
        preview.report_date,
        revision=store.report_revision(session, preview.report_date),
        other_moderator=last[-1].moderator_id if last else None,
    )


def cancel(session: Session, preview_id: int, *, moderator_id: int, now: datetime) -> Outcome:
    claimed = store.close_preview(session, preview_id, PreviewStatus.CANCELLED, by=moderator_id, at=now)
    preview = store.get_preview(session, preview_id)
    if preview is None:
        return Outcome(OutcomeStatus.NOT_FOUND)
    if not claimed:
        return _not_open(preview, now)
    return Outcome(OutcomeStatus.CANCELLED, preview.report_date)


def _expired(preview: schema.PendingPreview, now: datetime) -> bool:
    return preview.created_at < now - PREVIEW_TTL


def _not_open(preview: schema.PendingPreview, now: datetime) -> Outcome:
    """A tap on a preview that is no longer pending: closed by someone, or expired (the periodic job marks
    an expired preview stale, like a changed one; its age tells them apart)."""
    if preview.status == PreviewStatus.STALE and _expired(preview, now):
        return Outcome(OutcomeStatus.EXPIRED, preview.report_date)
    return Outcome(
        OutcomeStatus.CLOSED,
        preview.report_date,
        other_moderator=preview.closed_by,
        previous_status=preview.status,
    )


# --------------------------------------------------------------------------------------------- texts

#: What each finding says (its fields are filled in by `finding_text`).
FINDING_TEXTS: dict[str, str] = {
    "future": N_("the report date {day} is in the future (today is {today})"),
    "date_guessed": N_("the text has no full date; {day} was inferred from when the message was posted"),
    "correction": N_(
        "this date is already published (revision {revision}, {source}): publishing corrects it"
    ),
    "same_as_stored": N_("the figures are the same as stored"),
    "stale_repeat": N_("every figure is the same as in the report of {day}: a stale copy?"),
    "sources_disagree": N_("{cat}: {source} says {theirs}, this report {ours}"),
    "increase_above_total": N_(
        "{cat}: the reported increase {inc} is larger than the total {total}: are the two numbers swapped?"
    ),
    "total_down": N_("{cat}: the total went down, {old} → {new}"),
    "increase_mismatch": N_("{cat}: reported increase {inc} disagrees with the totals ({diff})"),
    "implausible": N_("{cat}: {value} is far above what the last 90 days make plausible (≤ {bound})"),
    "missing": N_("{cat}: in the previous report, missing here"),
    "new": N_("{cat}: a new category"),
    "parser": N_("parser: {text}"),
}


#: Fields shown with their sign: a day's figure, or a difference of totals.
_SIGNED: dict[str, tuple[str, ...]] = {"implausible": ("value",), "increase_mismatch": ("inc", "diff")}


#: Why a report that cannot exist is refused (see `bounds.ImpossibleReport`).
IMPOSSIBLE_TEXTS: dict[str, str] = {
    "before_war": N_("⛔ Refused: the report date {value} is before the war began ({limit})."),
    "future": N_("⛔ Refused: the report date {value} is after today ({limit} at the latest)."),
    "total": N_("⛔ Refused: {cat}: the total {value} is beyond any possible figure (at most {limit})."),
    "increase": N_(
        "⛔ Refused: {cat}: the increase {value} is beyond any possible daily change (at most {limit})."
    ),
}


def impossible_text(exc: bounds.ImpossibleReport, lang: str) -> str:
    """What a moderator reads when a report cannot exist; nothing was saved."""
    cat = html.escape(_name(exc.field.partition(".")[2], lang))
    value = _field(exc.value, lang)
    return _(lang, IMPOSSIBLE_TEXTS[exc.problem], cat=cat, value=value, limit=_field(exc.limit, lang))


def _name(key: str, lang: str) -> str:
    return category(key).name(lang) if key in BY_KEY else key


def _field(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt.number(value, lang)
    if isinstance(value, date):
        return fmt.day(value, lang)
    return html.escape(str(value), quote=False)  # text, not an attribute: quoted lines keep their quotes


def finding_text(finding: Finding, lang: str) -> str:
    fields = {k: _field(v, lang) for k, v in finding.fields.items()}
    if "cat" in finding.fields:
        fields["cat"] = html.escape(_name(str(finding.fields["cat"]), lang))
    for name in _SIGNED.get(finding.code, ()):
        fields[name] = fmt.signed(int(str(finding.fields[name])), lang)
    if isinstance(warning := finding.fields.get("text"), ParseWarning):
        fields["text"] = parse_warning_text(warning, lang)
    text = _(lang, FINDING_TEXTS[finding.code], **fields)
    if finding.fields.get("line"):
        text = _(lang, "{finding} — in the line {line}", finding=text, line=fields["line"])
    icon = {"error": "❗", "warning": "⚠️", "info": "ℹ️"}[finding.severity]
    return f"{icon} {text}"


def parse_warning_text(warning: ParseWarning, lang: str) -> str:
    """A parser warning in LANG, categories by their names (see bot.domain.parse_warning for the fields)."""
    fields: dict[str, str] = {}
    for name, value in warning.fields.items():
        if name == "cat":
            fields[name] = html.escape(_name(str(value), lang))
        elif name == "cats":
            fields[name] = ", ".join(html.escape(_name(str(key), lang)) for key in value)
        elif isinstance(value, tuple):
            # A pasted text can name hundreds of dates: a few are enough to see what the parser means.
            shown = [_field(item, lang) for item in value[:MAX_LISTED]]
            if len(value) > MAX_LISTED:
                shown.append(_(lang, "… and {n} more", n=len(value) - MAX_LISTED))
            fields[name] = ", ".join(shown)
        else:
            fields[name] = _field(value, lang)
    return _(lang, warning.message, **fields)


def render_preview(preview: Preview, lang: str) -> str:
    what = (
        _(lang, " — a correction (revision {rev})", rev=(preview.stored_revision or 0) + 1)
        if preview.correction
        else _(lang, " — new")
    )
    out = [
        _(lang, "<b>Preview: report of {day}</b>{what}", day=fmt.day(preview.report_date, lang), what=what)
    ]
    if preview.previous_date is not None:
        out.append(
            "<i>"
            + _(
                lang,
                "category: total (reported increase · difference from {prev})",
                prev=fmt.day(preview.previous_date, lang),
            )
            + "</i>"
        )
    else:
        out.append("<i>" + _(lang, "category: total (reported increase)") + "</i>")
    for line in preview.lines:
        extra = [fmt.signed(line.increase, lang) if line.increase is not None else "—"]
        if preview.previous_date is not None:
            extra.append(fmt.signed(line.difference, lang) if line.difference is not None else "—")
        out.append(
            f"{html.escape(_name(line.category, lang))}: {fmt.number(line.total, lang)} ({' · '.join(extra)})"
        )
    out += ["", _(lang, "<b>Findings</b>")]
    tail = (
        ["", _(lang, "❗ There are errors: publishing needs a second confirmation.")]
        if preview.has_errors
        else []
    )
    # Errors first, so that what blocks publishing is never among the findings summarised away.
    order = {"error": 0, "warning": 1, "info": 2}
    findings = [finding_text(f, lang) for f in sorted(preview.findings, key=lambda f: order[f.severity])] or [
        _(lang, "✅ Nothing unusual.")
    ]
    return fit_items(out, findings, tail, lang)


def render_outcome(outcome: Outcome, lang: str) -> str:
    by = _(lang, " by moderator {id}", id=outcome.other_moderator) if outcome.other_moderator else ""
    day = fmt.day(outcome.report_date, lang) if outcome.report_date else ""
    if outcome.status == OutcomeStatus.PUBLISHED:
        if outcome.correction:
            return _(
                lang, "✅ Corrected the report of {day}: now revision {rev}.", day=day, rev=outcome.revision
            )
        return _(lang, "✅ Published the report of {day} (revision {rev}).", day=day, rev=outcome.revision)
    if outcome.status == OutcomeStatus.NEEDS_CONFIRMATION:
        return _(
            lang, "❗ This preview has errors. Are you sure? Press “Publish anyway” to publish it as it is."
        )
    if outcome.status == OutcomeStatus.CANCELLED:
        return _(lang, "✖️ Cancelled: nothing was published.")
    if outcome.status == OutcomeStatus.CLOSED:
        if outcome.previous_status == PreviewStatus.PUBLISHED:
            return _(lang, "This preview was already published{by}.", by=by)
        return _(
            lang,
            "This preview is no longer open ({status}{by}); nothing was published.",
            status=outcome.previous_status,
            by="",
        )
    if outcome.status == OutcomeStatus.STALE:
        return _(
            lang,
            "⛔ Not published: the stored data for {day} changed since this preview was shown "
            "(now revision {rev}{by}). Send the report again for a fresh preview.",
            day=day,
            rev=outcome.revision or "—",
            by=by,
        )
    if outcome.status == OutcomeStatus.EXPIRED:
        return _(
            lang,
            "⌛ Not published: this preview of {day} expired (previews are kept for {hours} hours). Send the "
            "report again for a fresh preview.",
            day=day,
            hours=int(PREVIEW_TTL.total_seconds() // 3600),
        )
    if outcome.status == OutcomeStatus.UNCHANGED:
        return _(lang, "Nothing changed: the report of {day} is stored with these figures already.", day=day)
    return _(lang, "This preview no longer exists.")
