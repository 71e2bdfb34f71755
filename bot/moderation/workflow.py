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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from sqlmodel import Session

from bot.domain.categories import BY_KEY, KEYS, MERGE_DATE, category
from bot.domain.report import ReportFigures
from bot.i18n import fmt
from bot.i18n.texts import tr
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
    parser_warnings: list[str] | None = None,
    date_in_text: bool = True,
) -> Preview:
    """Compare a report with the store and list what a moderator should look at before publishing."""
    stored = queries.report_on(session, report_date)
    before = queries.report_as_of(session, report_date - timedelta(days=1))
    findings = _report_findings(report_date, today, date_in_text, stored, totals, increases)
    lines = [_line(key, totals, increases, before) for key in _ordered(totals)]
    # Days since the report before: a difference over a gap is several days' worth.
    gap = (report_date - before.report_date).days if before else 1
    history = store.recent_increases(session, report_date, days=WINDOW_DAYS)
    for line in lines:
        findings += _figure_findings(line, gap, history.get(line.category, []))
    if before is not None:
        findings += _category_findings(before, totals, report_date)
    findings += [Finding("parser", "warning", {"text": warning}) for warning in parser_warnings or []]
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


def _report_findings(
    report_date: date,
    today: date,
    date_in_text: bool,
    stored: queries.StoredReport | None,
    totals: dict[str, int],
    increases: dict[str, int],
) -> list[Finding]:
    """What concerns the report as a whole: its date, and whether it replaces a stored one."""
    findings = []
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
    total = totals[key]
    previous = before.totals.get(key) if before else None
    difference = None if previous is None else total - previous
    return Line(key, total, increases.get(key), previous, difference)


def _figure_findings(line: Line, gap: int, history: list[int]) -> list[Finding]:
    """What is wrong with one category's figure: a total going down, an increase that disagrees with the
    totals, or an increase (or difference over GAP days) far above the category's recent HISTORY."""
    findings = []
    cat, increase, difference = line.category, line.increase, line.difference
    if difference is not None and difference < 0:
        findings.append(Finding("total_down", "error", {"cat": cat, "old": line.previous, "new": line.total}))
    if difference is not None and increase is not None and gap == 1 and increase != difference:
        findings.append(
            Finding("increase_mismatch", "warning", {"cat": cat, "inc": increase, "diff": difference})
        )
    for value, days in ((increase, 1), (difference, gap)):
        bound = plausible_bound(history, days)
        if value is not None and bound is not None and value > bound:
            findings.append(Finding("implausible", "error", {"cat": cat, "value": value, "bound": bound}))
            break  # one implausible finding per category is enough
    return findings


def _category_findings(
    before: queries.StoredReport, totals: dict[str, int], report_date: date
) -> list[Finding]:
    """Categories the report before had and this one lacks, and new ones. Across the May 2022 merge,
    vehicles and fuel tanks becoming one line is neither."""
    merged_between = before.report_date < MERGE_DATE <= report_date
    missing = [
        k
        for k in before.totals
        if k not in totals
        and BY_KEY[k].active_on(report_date)
        and not (merged_between and k in ("vehicles", "fuel_tanks"))
    ]
    new = [
        k for k in totals if k not in before.totals and not (merged_between and k == "vehicles_fuel_tanks")
    ]
    findings = [Finding("missing", "warning", {"cat": k}) for k in missing]
    return findings + [Finding("new", "warning", {"cat": k}) for k in new]


def _ordered(totals: dict[str, int]) -> list[str]:
    known = [k for k in KEYS if k in totals]
    return known + [k for k in totals if k not in known]


def save_preview(
    session: Session, preview: Preview, *, chat_id: int, moderator_id: int, raw_text: str, now: datetime
) -> int:
    """Keep PREVIEW until a moderator publishes or cancels it; returns its id (used in the buttons)."""
    return store.add_preview(
        session,
        schema.PendingPreview(
            chat_id=chat_id,
            moderator_id=moderator_id,
            created_at=now,
            report_date=preview.report_date,
            action=preview.action,
            raw_text=raw_text,
            figures={"totals": preview.totals, "increases": preview.increases},
            has_errors=preview.has_errors,
            base_fingerprint=preview.fingerprint,
        ),
    )


class CorrectionError(ValueError):
    """/correct cannot be applied; the message says why (a sentence key of TEXTS and its fields)."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


def corrected_figures(
    session: Session, day: date, category_key: str, total: int, increase: int | None
) -> tuple[dict[str, int], dict[str, int]]:
    """The stored report of DAY with one category's total (and, when given, reported increase) replaced."""
    stored = queries.report_on(session, day)
    if stored is None:
        raise CorrectionError("correct_no_report", day=day)
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
    #: The stored data changed since the preview was shown (or it expired): nothing was published.
    STALE = "stale"
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
        return Outcome(
            OutcomeStatus.CLOSED, day, other_moderator=preview.closed_by, previous_status=preview.status
        )
    if preview.has_errors and not force:
        preview.status, preview.closed_by, preview.closed_at = PreviewStatus.PENDING, None, None
        session.flush()
        return Outcome(OutcomeStatus.NEEDS_CONFIRMATION, day)
    if (
        preview.created_at < now - PREVIEW_TTL
        or store.state_fingerprint(session, day) != preview.base_fingerprint
    ):
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
    summary = store_reports(
        session,
        [ReportFigures(day, MODERATOR_SOURCE, dict(figures["totals"]), dict(figures["increases"]))],
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
        return Outcome(
            OutcomeStatus.CLOSED,
            preview.report_date,
            other_moderator=preview.closed_by,
            previous_status=preview.status,
        )
    return Outcome(OutcomeStatus.CANCELLED, preview.report_date)


# --------------------------------------------------------------------------------------------- texts

TEXTS: dict[str, dict[str, str]] = {
    "preview_title": {
        "en": "<b>Preview: report of {day}</b>{what}",
        "uk": "<b>Попередній перегляд: звіт за {day}</b>{what}",
    },
    "what_correction": {"en": " — a correction (revision {rev})", "uk": " — виправлення (редакція {rev})"},
    "what_new": {"en": " — new", "uk": " — новий"},
    "columns": {
        "en": "category: total (reported increase · difference from {prev})",
        "uk": "категорія: загалом (повідомлений приріст · різниця з {prev})",
    },
    "columns_first": {"en": "category: total (reported increase)", "uk": "категорія: загалом (приріст)"},
    "findings": {"en": "<b>Findings</b>", "uk": "<b>Зауваження</b>"},
    "no_findings": {"en": "✅ Nothing unusual.", "uk": "✅ Нічого незвичного."},
    "errors_note": {
        "en": "❗ There are errors: publishing needs a second confirmation.",
        "uk": "❗ Є помилки: публікація потребує другого підтвердження.",
    },
    "future": {
        "en": "the report date {day} is in the future (today is {today})",
        "uk": "дата звіту {day} у майбутньому (сьогодні {today})",
    },
    "date_guessed": {
        "en": "the text has no full date; {day} was inferred from when the message was posted",
        "uk": "у тексті немає повної дати; {day} визначено за часом допису",
    },
    "correction": {
        "en": "this date is already published (revision {revision}, {source}): publishing corrects it",
        "uk": "цю дату вже опубліковано (редакція {revision}, {source}): публікація її виправить",
    },
    "same_as_stored": {
        "en": "the figures are the same as stored",
        "uk": "дані такі самі, як збережені",
    },
    "total_down": {
        "en": "{cat}: the total went down, {old} → {new}",
        "uk": "{cat}: загальна кількість зменшилася, {old} → {new}",
    },
    "increase_mismatch": {
        "en": "{cat}: reported increase {inc} disagrees with the totals ({diff})",
        "uk": "{cat}: повідомлений приріст {inc} не збігається з різницею ({diff})",
    },
    "implausible": {
        "en": "{cat}: {value} is far above what the last 90 days make plausible (≤ {bound})",
        "uk": "{cat}: {value} значно більше, ніж правдоподібно за останні 90 днів (≤ {bound})",
    },
    "missing": {
        "en": "{cat}: in the previous report, missing here",
        "uk": "{cat}: є в попередньому звіті, тут відсутня",
    },
    "new": {"en": "{cat}: a new category", "uk": "{cat}: нова категорія"},
    "parser": {"en": "parser: {text}", "uk": "розбір: {text}"},
    "btn_publish": {"en": "✅ Publish", "uk": "✅ Опублікувати"},
    "btn_force": {"en": "⚠️ Publish anyway", "uk": "⚠️ Все одно опублікувати"},
    "btn_cancel": {"en": "✖️ Cancel", "uk": "✖️ Скасувати"},
    "confirm_errors": {
        "en": "❗ This preview has errors. Are you sure? Press “Publish anyway” to publish it as it is.",
        "uk": "❗ У попередньому перегляді є помилки. Ви впевнені? Натисніть «Все одно опублікувати».",
    },
    "published": {
        "en": "✅ Published the report of {day} (revision {rev}).",
        "uk": "✅ Опубліковано звіт за {day} (редакція {rev}).",
    },
    "corrected": {
        "en": "✅ Corrected the report of {day}: now revision {rev}.",
        "uk": "✅ Виправлено звіт за {day}: тепер редакція {rev}.",
    },
    "cancelled": {"en": "✖️ Cancelled: nothing was published.", "uk": "✖️ Скасовано: нічого не опубліковано."},
    "closed_published": {
        "en": "This preview was already published{by}.",
        "uk": "Цей перегляд уже опубліковано{by}.",
    },
    "closed_other": {
        "en": "This preview is no longer open ({status}{by}); nothing was published.",
        "uk": "Цей перегляд уже закрито ({status}{by}); нічого не опубліковано.",
    },
    "by": {"en": " by moderator {id}", "uk": " модератором {id}"},
    "stale": {
        "en": "⛔ Not published: the stored data for {day} changed since this preview was shown "
        "(now revision {rev}{by}). Send the report again for a fresh preview.",
        "uk": "⛔ Не опубліковано: збережені дані за {day} змінилися після цього перегляду "
        "(тепер редакція {rev}{by}). Надішліть звіт ще раз для нового перегляду.",
    },
    "unchanged": {
        "en": "Nothing changed: the report of {day} is stored with these figures already.",
        "uk": "Нічого не змінилося: звіт за {day} уже збережено з цими даними.",
    },
    "not_found": {"en": "This preview no longer exists.", "uk": "Цього перегляду більше немає."},
    "correct_no_report": {
        "en": "No report of {day} is stored: there is nothing to correct. Send the report text instead.",
        "uk": "Звіту за {day} немає: нема чого виправляти. Надішліть текст звіту.",
    },
}


def _t(key: str, lang: str, **fields: object) -> str:
    return tr(TEXTS[key], lang, **fields)


def _name(key: str, lang: str) -> str:
    return category(key).name(lang) if key in BY_KEY else key


def _field(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt.number(value, lang)
    if isinstance(value, date):
        return fmt.day(value, lang)
    return html.escape(str(value))


def finding_text(finding: Finding, lang: str) -> str:
    fields = {k: _field(v, lang) for k, v in finding.fields.items()}
    if "cat" in finding.fields:
        fields["cat"] = html.escape(_name(str(finding.fields["cat"]), lang))
    if finding.code == "implausible":
        fields["value"] = fmt.signed(int(str(finding.fields["value"])), lang)
    if finding.code == "increase_mismatch":
        fields["inc"] = fmt.signed(int(str(finding.fields["inc"])), lang)
        fields["diff"] = fmt.signed(int(str(finding.fields["diff"])), lang)
    icon = {"error": "❗", "warning": "⚠️", "info": "ℹ️"}[finding.severity]
    return f"{icon} {_t(finding.code, lang, **fields)}"


def render_preview(preview: Preview, lang: str) -> str:
    what = (
        _t("what_correction", lang, rev=(preview.stored_revision or 0) + 1)
        if preview.correction
        else _t("what_new", lang)
    )
    out = [_t("preview_title", lang, day=fmt.day(preview.report_date, lang), what=what)]
    if preview.previous_date is not None:
        out.append(f"<i>{_t('columns', lang, prev=fmt.day(preview.previous_date, lang))}</i>")
    else:
        out.append(f"<i>{_t('columns_first', lang)}</i>")
    for line in preview.lines:
        extra = [fmt.signed(line.increase, lang) if line.increase is not None else "—"]
        if preview.previous_date is not None:
            extra.append(fmt.signed(line.difference, lang) if line.difference is not None else "—")
        out.append(
            f"{html.escape(_name(line.category, lang))}: {fmt.number(line.total, lang)} ({' · '.join(extra)})"
        )
    out += ["", _t("findings", lang)]
    out += [finding_text(f, lang) for f in preview.findings] or [_t("no_findings", lang)]
    if preview.has_errors:
        out += ["", _t("errors_note", lang)]
    return "\n".join(out)


def render_outcome(outcome: Outcome, lang: str) -> str:
    by = _t("by", lang, id=outcome.other_moderator) if outcome.other_moderator else ""
    day = fmt.day(outcome.report_date, lang) if outcome.report_date else ""
    if outcome.status == OutcomeStatus.PUBLISHED:
        return _t("corrected" if outcome.correction else "published", lang, day=day, rev=outcome.revision)
    if outcome.status == OutcomeStatus.NEEDS_CONFIRMATION:
        return _t("confirm_errors", lang)
    if outcome.status == OutcomeStatus.CANCELLED:
        return _t("cancelled", lang)
    if outcome.status == OutcomeStatus.CLOSED:
        if outcome.previous_status == PreviewStatus.PUBLISHED:
            return _t("closed_published", lang, by=by)
        return _t("closed_other", lang, status=outcome.previous_status, by="")
    if outcome.status == OutcomeStatus.STALE:
        return _t("stale", lang, day=day, rev=outcome.revision or "—", by=by)
    if outcome.status == OutcomeStatus.UNCHANGED:
        return _t("unchanged", lang, day=day)
    return _t("not_found", lang)
