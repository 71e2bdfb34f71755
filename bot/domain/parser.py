"""Read the General Staff's daily report of Russia's losses from free text.

The same figures reach people as official web text (English or Ukrainian), Telegram relays with emoji,
bullets, hashtags and the relaying channel's own lines, bilingual posts, infographics transcribed line by
line, and media rewrites that put the figures in prose, numbers first, increases first or in words. A
figure is read right or reported unread, never guessed: every line that looks like a figure but cannot be
read for sure is listed in the warnings, naming the line and what could not be read. The parser never
raises anything but :class:`NotAReport`.

Lines are cut into sentences and each sentence is read by :mod:`bot.domain.sentences` (which layouts, and
how a number is told to be the total or the day's increase); this module dates the report, puts the
sentences' figures together and checks them against each other. Pure functions only: no Telegram, no
database, no language (warnings are :class:`ParseWarning` data, said in the moderator's language by the
moderation preview).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from bot.domain import parse_warning as msg
from bot.domain.categories import BY_KEY, CATEGORIES, MERGE_DATE
from bot.domain.dates import WAR_START
from bot.domain.parse_warning import ParseWarning, quote
from bot.domain.sentences import Figure, Role, heading_role, read_sentence

__all__ = ["NotAReport", "ParseWarning", "ParsedReport", "parse_report"]


@dataclass
class ParsedReport:
    report_date: date
    #: Canonical key -> cumulative total, in the order the text states them.
    totals: dict[str, int]
    #: Canonical key -> the day's increase as written ("(+N)", "за добу знищено N"). Usually a category
    #: with a total; a relay may give only the day's figure (then the total is missing, and said so).
    increases: dict[str, int]
    #: Everything a person should know before trusting the figures.
    notes: list[ParseWarning]
    date_in_text: bool
    #: Canonical key -> the line its figures were read from, so the preview can say where a finding is.
    lines: dict[str, str] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """The notes in plain English."""
        return [str(note) for note in self.notes]

    def as_json(self) -> dict[str, object]:
        return {
            "report_date": self.report_date.isoformat(),
            "totals": dict(self.totals),
            "increases": dict(self.increases),
            "warnings": self.warnings,
        }


class NotAReport(ValueError):
    """The text holds no figure of the report; the message says why."""


def parse_report(text: str, *, as_of: date) -> ParsedReport:
    """Read a daily report; AS_OF (when it was posted) dates it when the text does not, or lacks a year."""
    if not text.strip():
        raise NotAReport("empty text")
    lines = [" ".join(line.split()) for line in _normalise_text(text).splitlines()]

    figures: list[Figure] = []
    line_warnings: list[ParseWarning] = []
    dates: list[_DateMention] = []
    heading: Role | None = None
    for line in lines:
        if not line:
            continue
        found, rest = _take_dates(line, as_of)
        dates.extend(found)
        line_figures, problems = _read_line(rest, heading)
        figures.extend(line_figures)
        line_warnings.extend(problems)
        if _is_heading(rest):
            heading = heading_role(rest)

    if not figures:
        raise NotAReport("no line with a category and a number")

    notes: list[ParseWarning] = []
    report_date, date_in_text = _report_date(dates, as_of, notes)
    notes.extend(_capped(line_warnings))
    collected = _collect(figures, report_date, notes)
    missing = tuple(key for key in _expected_keys(report_date) if key not in collected.totals)
    for key in missing:
        if key in collected.increases:
            notes.append(ParseWarning(msg.INCREASE_ONLY, {"cat": key, "increase": collected.increases[key]}))
    if absent := tuple(key for key in missing if key not in collected.increases):
        notes.append(ParseWarning(msg.NOT_IN_TEXT, {"cats": absent}))
    return ParsedReport(
        report_date, collected.totals, collected.increases, notes, date_in_text, collected.lines
    )


# --- Text --------------------------------------------------------------------------------------------

# NFKC turns no-break, thin and other spaces into plain spaces and full-width digits into ASCII; dashes and
# invisible characters (zero-width spaces, the emoji variation selector) are mapped by hand because NFKC
# leaves them alone.
_TRANSLATION: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "‐‑‒–—―−⁃﹘﹣－"), "-"),
    **dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f"), None),
}


# NFKC would also make "9²097" read 92097: superscript and subscript digits are kept as they are, so
# that the number reader refuses the number they sit in (see numbers.GLUE).
_RAISED_DIGITS = re.compile("([⁰¹²³⁴-⁹₀-₉]+)")


def _normalise_text(text: str) -> str:
    pieces = _RAISED_DIGITS.split(text)  # odd indices: the raised digits
    for i in range(0, len(pieces), 2):
        pieces[i] = unicodedata.normalize("NFKC", pieces[i])
    return "".join(pieces).translate(_TRANSLATION)


# Links, @channel signatures and times carry digits that are never figures.
_NOT_FIGURES = re.compile(
    r"(?:https?://|www\.|\bt\.me/)\S*|(?<!\w)@\w+|(?<![0-9])[0-9]{1,2}:[0-9]{2}(?![0-9])"
)
# Media rewrites put the whole report and their own prose in one paragraph; a sentence is read alone so
# that "... завдав 1 ракетного та 46 авіаційних ударів." cannot lend its numbers to the report's labels.
_SENTENCE_END = re.compile(r"(?<=[.!?]) (?=[A-ZА-ЯІЇЄҐЁ])")


def _sentences(line: str) -> list[str]:
    cleaned = _NOT_FIGURES.sub(" ", line)
    return [chunk.strip() for chunk in _SENTENCE_END.split(cleaned) if chunk.strip()]


def _is_heading(line: str) -> bool:
    """A line that introduces a list ("За добу знищено:"): no number, ends with a colon."""
    return line.rstrip().endswith(":") and not any(ch.isdigit() for ch in line)


# A recount notice ("WARNING! ... tanks decreased by 5 ...") names categories and numbers that are not the
# day's totals; it is shown to the user instead of read. A line that opens with the alarm word is a notice
# as a whole (its next sentence may read "Кількість танків становить 3797"); elsewhere a sentence is a
# notice when it speaks of a recount.
_NOTICE_LINE = re.compile(r"^\W*(?:warning|attention|увага|важливо)\b", re.IGNORECASE)
_NOTICE = re.compile(
    r"warning|attention|увага|recount|recalculat|перерах|уточн|clarif|correct|виправл|decreas|зменш",
    re.IGNORECASE,
)
# Lines that carry a number but are obviously not figures: hashtags only, "Day 975", "975-й день".
_CHATTER = re.compile(
    r"^(?:#\S+ ?)+$|^\W*(?:day|день|доба) [0-9]+\W*$|^\W*[0-9]+ ?(?:-?(?:й|th|st|nd|rd))? (?:day|день)\b",
    re.IGNORECASE,
)
# A relay's numbering ("1. танків ‒ …", "2) …", "3️⃣ …") is not a figure. An infographic line may start with
# a total ("1 підводні човни"), but never with a number followed by "." or ")".
_LIST_MARKER = re.compile(r"^ ?(?:[0-9]{1,2}[.)]|[0-9]\u20e3) ")


def _has_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _read_line(line: str, heading: Role | None) -> tuple[list[Figure], list[ParseWarning]]:
    """The figures of one line (its dates already blanked), and the warnings it deserves."""
    line = _LIST_MARKER.sub("", line, count=1)
    if _NOTICE_LINE.search(line):
        return [], ([_notice(line)] if _has_number(line) else [])
    figures: list[Figure] = []
    problems: list[ParseWarning] = []
    for sentence in _sentences(line):
        if _has_number(sentence) and _NOTICE.search(sentence):
            problems.append(_notice(sentence))
        elif not _CHATTER.search(sentence):
            found, warned = read_sentence(sentence, heading=heading)
            figures.extend(found)
            problems.extend(warned)
    return figures, problems


def _notice(text: str) -> ParseWarning:
    return ParseWarning(msg.NOTICE, {"line": quote(text)})


#: Lines that could not be read are listed up to this many; 100 KB of noise should not make 3,000 warnings.
_MAX_LINE_WARNINGS = 20


def _capped(line_warnings: list[ParseWarning]) -> list[ParseWarning]:
    if len(line_warnings) <= _MAX_LINE_WARNINGS:
        return line_warnings
    extra = len(line_warnings) - _MAX_LINE_WARNINGS
    return [*line_warnings[:_MAX_LINE_WARNINGS], ParseWarning(msg.MORE_LINES, {"n": extra})]


# --- Putting the figures together --------------------------------------------------------------------


@dataclass
class _Collected:
    totals: dict[str, int] = field(default_factory=dict)
    increases: dict[str, int] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    repeated: list[str] = field(default_factory=list)
    #: The categories whose kept total comes from a line of the report's list (see Figure.listed).
    listed: set[str] = field(default_factory=set)


def _collect(figures: list[Figure], day: date, notes: list[ParseWarning]) -> _Collected:
    """One total and one increase per category. A category may come in parts (a relay's personnel: the
    total in one sentence, the day's figure in another); a part stated twice keeps the first statement."""
    out = _Collected()
    for figure in figures:
        key = figure.key
        if key == "vehicles" and day >= MERGE_DATE:
            # From May 2022 the report has one line for both; media still call it "автомобільної техніки".
            key = "vehicles_fuel_tanks"
            notes.append(_line_note(msg.MERGED_LINE, figure, cat=key, day=MERGE_DATE))
        if key not in out.lines and not BY_KEY[key].active_on(day):
            notes.append(_line_note(msg.INACTIVE, figure, cat=key, day=day))
        _add(out, key, figure, notes)
    if out.repeated:
        notes.append(ParseWarning(msg.REPEATED, {"cats": tuple(dict.fromkeys(out.repeated))}))
    _warn_swapped(out, notes)
    return out


def _add(out: _Collected, key: str, figure: Figure, notes: list[ParseWarning]) -> None:
    # The report's own line comes first; a repeat is a bilingual copy or a relaying channel's line. But a
    # relay's prose may come before the list it quotes: then the list's line is kept, not the prose.
    total, increase = out.totals.get(key), out.increases.get(key)
    if total is not None and figure.total is not None and total != figure.total:
        if figure.listed and key not in out.listed:
            _replace_prose(out, key, figure, figure.total, notes)
        else:
            notes.append(_line_note(msg.STATED_TWICE, figure, cat=key, kept=total))
        return
    if None not in (increase, figure.increase) and increase != figure.increase:
        notes.append(_line_note(msg.INCREASE_TWICE, figure, cat=key, kept=increase))
        return
    if total is not None and figure.total is not None:
        out.repeated.append(key)
    if figure.total is not None:
        out.totals[key] = figure.total
        if figure.listed:
            out.listed.add(key)
    if figure.increase is not None:
        out.increases[key] = figure.increase
    out.lines.setdefault(key, figure.line)


def _replace_prose(out: _Collected, key: str, figure: Figure, total: int, notes: list[ParseWarning]) -> None:
    """FIGURE (of TOTAL), from the report's list, replaces what prose before it said of KEY; the prose is
    noted as the line ignored."""
    notes.append(ParseWarning(msg.STATED_TWICE, {"cat": key, "kept": total, "line": quote(out.lines[key])}))
    out.totals[key] = total
    if figure.increase is not None:
        out.increases[key] = figure.increase
    out.lines[key] = figure.line
    out.listed.add(key)


def _warn_swapped(out: _Collected, notes: list[ParseWarning]) -> None:
    """A day's increase above the war's total: the text's two numbers are swapped ("танків ‒ 7 (+9097)") or
    one is a typo. Both are kept as the text states them, and the preview makes this an error, so that a
    day's losses are never published as the war's total without a moderator confirming it."""
    for key, increase in out.increases.items():
        if key in out.totals and increase > out.totals[key]:
            fields = {
                "cat": key,
                "increase": increase,
                "total": out.totals[key],
                "line": quote(out.lines[key]),
            }
            notes.append(ParseWarning(msg.SWAPPED, fields))


def _line_note(message: str, figure: Figure, **fields: object) -> ParseWarning:
    return ParseWarning(message, {**fields, "line": quote(figure.line)})


def _expected_keys(day: date) -> list[str]:
    # vehicles_fuel_tanks is active from the war's start in the table (datasets sum the two old lines), but
    # a report only has that line from MERGE_DATE on; before it, vehicles and fuel_tanks are expected.
    return [
        c.key
        for c in CATEGORIES
        if c.active_on(day) and not (c.key == "vehicles_fuel_tanks" and day < MERGE_DATE)
    ]


# --- Dates -------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {
    name: number
    for names in (
        "january february march april may june july august september october november december",
        "jan feb mar apr may jun jul aug sep oct nov dec",
        "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    )
    for number, name in enumerate(names.split(), start=1)
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "25.10.2024", "25.10.24", "30.04" (day and month of two digits, as the General Staff writes them).
_NUMERIC_DATE = re.compile(r"(?<![0-9.,])([0-9]{1,2})\.([0-9]{2})(?:\.([0-9]{4}|[0-9]{2}))?(?![0-9])")
# "25 жовтня 2024", "25 October 2024", "October 25, 2024", "25th of October".
_WORD_DATE = re.compile(
    rf"(?<![0-9])([0-9]{{1,2}})(?:st|nd|rd|th)?(?: of)? ({_MONTH})\b\.?(?:,? ([0-9]{{4}}))?(?![0-9])"
    rf"|\b({_MONTH})\.? ([0-9]{{1,2}})(?:st|nd|rd|th)?\b(?:,? ([0-9]{{4}}))?(?![0-9])",
    re.IGNORECASE,
)
# "in February 2022", "у лютому 2022 року": a month, not a report date; blanked so that 2022 is not a figure.
_MONTH_YEAR = re.compile(
    rf"\b(?:{_MONTH}|лютому|березні|квітні|травні|червні|липні|серпні|вересні|жовтні|листопаді|грудні"
    rf"|січні)\.? (?:20[0-9]{{2}})(?![0-9])|\b20[0-9]{{2}} (?:року|р\.)",
    re.IGNORECASE,
)
# Media date the day's losses ("За минулу добу, 26 жовтня, ...") while the report is dated the next morning.
_PAST_DAY = re.compile(r"(?:минул\w* доб\w*|past day|previous day|past 24 hours)\W*$", re.IGNORECASE)


@dataclass(frozen=True)
class _DateMention:
    day: date
    past_day: bool


def _take_dates(line: str, as_of: date) -> tuple[list[_DateMention], str]:
    """The dates a line mentions (the war's start left out), and the line with every date blanked."""
    found: list[tuple[int, int, int, int, int | None]] = []
    for match in _NUMERIC_DATE.finditer(line):
        day, month, year = match.groups()
        found.append((match.start(), match.end(), int(day), int(month), int(year) if year else None))
    for match in _WORD_DATE.finditer(line):
        g = match.groups()
        day, month_name, year = (g[0], g[1], g[2]) if g[0] else (g[4], g[3], g[5])
        found.append(
            (
                match.start(),
                match.end(),
                int(day),
                _MONTHS[month_name.casefold()],
                int(year) if year else None,
            )
        )
    line = _MONTH_YEAR.sub(lambda m: " " * len(m.group()), line)
    if not found:
        return [], line

    mentions: list[_DateMention] = []
    pieces: list[str] = []
    pos = 0
    for start, end, day, month, year in sorted(found):
        if start < pos:
            continue
        resolved = _resolve(day, month, year, as_of)
        is_war_start = (day, month) == (WAR_START.day, WAR_START.month) and year in (None, 22, WAR_START.year)
        if resolved is None:
            continue  # "12.34" is not a date; leave it to be read (and warned about) as a number
        if not is_war_start and resolved > WAR_START:
            mentions.append(_DateMention(resolved, bool(_PAST_DAY.search(line[max(0, start - 40) : start]))))
        pieces.append(line[pos:start])
        pieces.append(" ")
        pos = end
    pieces.append(line[pos:])
    return mentions, "".join(pieces)


def _resolve(day: int, month: int, year: int | None, as_of: date) -> date | None:
    if year is not None:
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    # Early reports carry no year ("з 24.02 по 30.04"): the year that puts the date nearest on or before
    # the day it was posted, so "31.12" posted on 2 January is the last day of the year before.
    for candidate in range(as_of.year, as_of.year - 5, -1):
        resolved = _safe_date(candidate, month, day)
        if resolved is not None and resolved <= as_of:
            return resolved
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _report_date(dates: list[_DateMention], as_of: date, notes: list[ParseWarning]) -> tuple[date, bool]:
    if not dates:
        notes.append(ParseWarning(msg.NO_DATE, {"day": as_of}))
        return as_of, False
    first = dates[0]
    report_date = first.day
    if first.past_day and first.day < date.max:
        report_date = date.fromordinal(first.day.toordinal() + 1)
        notes.append(ParseWarning(msg.PAST_DAY, {"covered": first.day, "day": report_date}))
    if (report_date - as_of).days > 1:
        notes.append(ParseWarning(msg.AFTER_POSTED, {"day": report_date, "posted": as_of}))
    others = tuple(sorted({d.day for d in dates[1:]} - {first.day}))
    if others:
        notes.append(ParseWarning(msg.OTHER_DATES, {"days": others, "day": first.day}))
    return report_date, True
