"""Read the General Staff's daily report of Russia's losses from free text.

The same figures reach people as official web text (English or Ukrainian), Telegram relays with emoji,
bullets, hashtags and the relaying channel's own lines, bilingual posts, infographics transcribed line by
line and media rewrites. The parser is tolerant on purpose: it reads every clause that pairs a known
category with a number, and lists every other line that looks like a figure in ``warnings`` rather than
dropping it. It never raises anything but :class:`NotAReport`.

Pure functions only: no Telegram, no database. The canonical categories come from
:mod:`bot.domain.categories`; the word stems below add the spellings that table does not list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.domain.categories import BY_KEY, CATEGORIES, MERGE_DATE
from bot.domain.dates import WAR_START

__all__ = ["NotAReport", "ParsedReport", "parse_report"]


@dataclass
class ParsedReport:
    report_date: date
    #: Canonical key -> cumulative total, in the order the text states them.
    totals: dict[str, int]
    #: Canonical key -> the "(+N)" as written; a category whose line has no "(+N)" is absent.
    increases: dict[str, int]
    #: Everything a person should know before trusting the figures, in plain words.
    warnings: list[str]
    date_in_text: bool

    def as_json(self) -> dict[str, object]:
        return {
            "report_date": self.report_date.isoformat(),
            "totals": dict(self.totals),
            "increases": dict(self.increases),
            "warnings": list(self.warnings),
        }


class NotAReport(ValueError):
    """The text holds no figure of the report; the message says why."""


def parse_report(text: str, *, as_of: date) -> ParsedReport:
    """Read a daily report; AS_OF (when it was posted) dates it when the text does not, or lacks a year."""
    if not text.strip():
        raise NotAReport("empty text")
    lines = [" ".join(line.split()) for line in _normalise_text(text).splitlines()]

    figures: list[_Figure] = []
    line_warnings: list[str] = []
    dates: list[_DateMention] = []
    for line in lines:
        if not line:
            continue
        found, rest = _take_dates(line, as_of)
        dates.extend(found)
        line_figures, problems = _read_line(rest)
        figures.extend(line_figures)
        line_warnings.extend(problems)

    if not figures:
        raise NotAReport("no line with a category and a number")

    warnings: list[str] = []
    report_date, date_in_text = _report_date(dates, as_of, warnings)
    warnings.extend(_capped(line_warnings))
    totals, increases = _collect(figures, report_date, warnings)
    missing = [key for key in _expected_keys(report_date) if key not in totals]
    if missing:
        warnings.append(f"not in the text: {', '.join(missing)}")
    return ParsedReport(report_date, totals, increases, warnings, date_in_text)


# --- Text --------------------------------------------------------------------------------------------

# NFKC turns no-break, thin and other spaces into plain spaces and full-width digits into ASCII; dashes and
# invisible characters (zero-width spaces, the emoji variation selector) are mapped by hand because NFKC
# leaves them alone.
_TRANSLATION: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "‐‑‒–—―−⁃﹘﹣－"), "-"),
    **dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f"), None),
}


def _normalise_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATION)


# Links, @channel signatures and times carry digits that are never figures.
_NOT_FIGURES = re.compile(
    r"(?:https?://|www\.|\bt\.me/)\S*|(?<!\w)@\w+|(?<![0-9])[0-9]{1,2}:[0-9]{2}(?![0-9])"
)
# Media rewrites put the whole report and their own prose in one paragraph; a sentence is read alone so
# that "... завдав 1 ракетного та 46 авіаційних ударів." cannot lend its numbers to the report's labels.
_SENTENCE_END = re.compile(r"(?<=[.!?]) (?=[A-ZА-ЯІЇЄҐЁ])")


def _chunks(line: str) -> list[str]:
    cleaned = _NOT_FIGURES.sub(" ", line)
    return [chunk.strip() for chunk in _SENTENCE_END.split(cleaned) if chunk.strip()]


def _quote(text: str) -> str:
    text = " ".join(text.split())  # blanked dates and links leave runs of spaces
    return f'"{text[:69]}…"' if len(text) > 70 else f'"{text}"'


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# --- Categories --------------------------------------------------------------------------------------


def _normalise_label(text: str) -> str:
    text = text.casefold().replace("-", " ").replace("/", " / ")
    return " ".join(text.split())


def _stems(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


_VEHICLE = r"vehicle|truck|\bauto\b|автомоб|автотехн|вантажів"
_FUEL = r"fuel|цистерн|\bпмм\b|tanker"

# Word stems per category, tried in this order on a normalised label (casefolded, hyphens as spaces); all
# patterns of an entry must match. Order matters because labels contain each other's words: "armoured
# personnel vehicle" is neither personnel nor vehicles, "vehicles and fuel tanks" is not tanks,
# "anti-aircraft" is not aircraft, "ground robotic vehicles" is not vehicles. Stems rather than whole
# labels, so that a new spelling of a clear category ("танки" for "танків", "troop-carrying AFVs",
# "вертольоти") still maps. Cruise missiles need "cruise"/"крилат": a bare "ракет" is too often prose
# ("ракетного удару") or the SRBM launchers' "ракетних комплексів".
_STEMS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    ("ground_robotic_systems", _stems(r"robot|робот|\bugvs?\b|\bнрк\b|unmanned ground|наземн\w* безпілот")),
    (
        "afv",
        _stems(
            r"armou?r|броньов|\bббм\b|\bap[vc]s?\b|\bafvs?\b|\bifvs?\b|troop carrying|combat vehicle"
            r"|бойов\w* машин|\bбмп\b|\bбтр\b"
        ),
    ),
    ("srbm_launchers", _stems(r"srbm|\bо?трк\b|ballistic|балістичн|тактичн\w* ракетн|tactical missile")),
    ("vehicles_fuel_tanks", _stems(_VEHICLE, _FUEL)),
    ("vehicles", _stems(_VEHICLE)),
    ("fuel_tanks", _stems(_FUEL)),
    ("tanks", _stems(r"\btanks?\b|танк")),
    ("personnel", _stems(r"personnel|особов|військовослужб|\btroops\b|soldiers|жив\w* сил")),
    ("air_defense", _stems(r"anti ?aircraft|\bппо\b|air defen[cs]e|зенітн|протиповітрян|surface to air")),
    ("artillery", _stems(r"artiller|артилер|гармат|\bguns?\b|howitzer|гаубиц|артсистем")),
    ("mlrs", _stems(r"\bmlrs\b|\bmrls?\b|рсзв|multiple (?:rocket )?launch|rocket launcher|залпов")),
    ("helicopters", _stems(r"helicopter|гелікоптер|вертол[іьо]|\bchoppers?\b|rotary")),
    ("aircraft", _stems(r"aircraft|airplane|\bplanes?\b|\bjets?\b|літак")),
    (
        "uav",
        _stems(
            r"\buavs?\b|\bбпла\b|безпілот|drone|дрон|unmanned aerial"
            r"|operational tactical level|оперативно тактичного рівня"
        ),
    ),
    ("cruise_missiles", _stems(r"crui|крилат")),
    ("submarines", _stems(r"submarin|підводн|\bsubs?\b")),
    ("ships", _stems(r"\bships?\b|warship|boat|cutter|кораб|катер|vessel")),
    ("special_equipment", _stems(r"special|спец")),
)

# The labels of bot.domain.categories, longest first, for a category the stems above do not know yet (one
# added to the table later). The stems come first because they settle the overlaps the table's plain
# substrings cannot: "anti-aircraft guns" contains the label "aircraft".
_TABLE_LABELS: dict[str, str] = {
    _normalise_label(label): c.key for c in reversed(CATEGORIES) for label in (*c.labels_en, *c.labels_uk)
}
_TABLE_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(label) for label in sorted(_TABLE_LABELS, key=len, reverse=True))
    + r")(?!\w)"
)


def _category(label: str) -> str | None:
    """The canonical key a label names, or None."""
    if not _has_letters(label):
        return None
    norm = _normalise_label(label)
    for key, stems in _STEMS:
        if all(stem.search(norm) for stem in stems):
            return key
    match = _TABLE_RE.search(norm)
    return _TABLE_LABELS[match.group()] if match else None


# --- Figures -----------------------------------------------------------------------------------------

# A count: "685910", "1 630" (any space, normalised to " "), "1,630"; or a decimal ("685,9"), which is matched
# only to be refused: it is a rounded figure ("685,9 тис."), not a count. Every repetition is anchored on
# digits or a single separator, so nothing here can backtrack badly on long input.
_NUMBER = r"[0-9]{1,3}(?:[ ,][0-9]{3})+(?![0-9])|[0-9]+(?:[.,][0-9]+)?"
# A number glued to a letter ("T90") is not a figure.
_TOTAL = re.compile(rf"(?<![^\W_])(?:{_NUMBER})")
# "(+22)", "( +22 )", "(+4 за минулу добу)", "(-2)" on a recount day, or "+22" with no brackets (infographic).
_INCREASE = re.compile(rf" ?(?:\( ?([+-]) ?({_NUMBER})[^()\n]{{0,40}}\)|\(? ?\+ ?({_NUMBER}))")
_SCALE = re.compile(r" ?(?:тис|тыс|thousand|млн|million|mln|k\b)", re.IGNORECASE)
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[ ,][0-9]{3})+")
#: Longer digit strings are noise (and int() refuses very long ones); the largest real total has 7 digits.
_MAX_DIGITS = 9
#: A whole report in one paragraph has about 30 numbers; a sentence with more is noise, and is not scanned on.
_MAX_NUMBERS = 100


def _to_int(text: str) -> int | None:
    if _THOUSANDS.fullmatch(text):
        digits = text.replace(" ", "").replace(",", "")
    elif text.isascii() and text.isdigit():
        digits = text
    else:
        return None
    return int(digits) if len(digits) <= _MAX_DIGITS else None


@dataclass(frozen=True)
class _Span:
    """A number in a chunk with the "(+N)" right after it; total is None when it is not a count."""

    start: int
    end: int
    total: int | None
    increase: int | None


@dataclass(frozen=True)
class _Figure:
    key: str
    total: int
    increase: int | None
    source: str


def _spans(chunk: str) -> list[_Span]:
    spans: list[_Span] = []
    pos = 0
    while len(spans) <= _MAX_NUMBERS and (match := _TOTAL.search(chunk, pos)) is not None:
        if _follows_plus(chunk, pos, match.start()):
            pos = match.end()  # an increase with no total before it
            continue
        end = match.end()
        total = _to_int(match.group())
        increase = None
        if (inc := _INCREASE.match(chunk, end)) is not None:
            sign, bracketed, bare = inc.groups()
            value = _to_int(bracketed or bare)
            if value is not None:
                increase = -value if sign == "-" else value
            end = inc.end()
        if _SCALE.match(chunk, end):
            total = None  # "685 тис." is rounded
        spans.append(_Span(match.start(), end, total, increase))
        pos = end
    return spans


def _follows_plus(chunk: str, floor: int, start: int) -> bool:
    i = start - 1
    while i >= floor and chunk[i] in " (":
        i -= 1
    return i >= floor and chunk[i] == "+"


_SEPARATOR = re.compile(r"[,;:.]")
_EDGE = " -,;:.…•*"


def _last_clause(gap: str) -> str:
    """The label right before a number: "..., танків — " -> "танків"."""
    gap = gap.rstrip(_EDGE)
    cut = max((m.end() for m in _SEPARATOR.finditer(gap)), default=0)
    return gap[cut:]


def _first_clause(gap: str) -> str:
    """The label right after a number: " танків / tanks, ..." -> "танків / tanks"; ", APV ‒" -> ""."""
    gap = gap.lstrip(" -•*")
    match = _SEPARATOR.search(gap)
    return gap[: match.start()] if match else gap


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
#: A line without a number names a category as a truncated figure line would, not as prose does.
_MAX_LABEL_LINE = 80
# A relay's numbering ("1. танків ‒ …", "2) …", "3️⃣ …") is not a figure. An infographic line may start with
# a total ("1 підводні човни"), but never with a number followed by "." or ")".
_LIST_MARKER = re.compile(r"^ ?(?:[0-9]{1,2}[.)]|[0-9]\u20e3) ")


def _read_line(line: str) -> tuple[list[_Figure], list[str]]:
    """The figures of one line (its dates already blanked), and the warnings it deserves."""
    line = _LIST_MARKER.sub("", line, count=1)
    if _NOTICE_LINE.search(line):
        has_number = any(ch.isdigit() for ch in line)
        return [], ([f"notice, not read as figures: {_quote(line)}"] if has_number else [])
    figures: list[_Figure] = []
    problems: list[str] = []
    for chunk in _chunks(line):
        chunk_figures, problem = _read_chunk(chunk)
        figures.extend(chunk_figures)
        if problem:
            problems.append(problem)
    return figures, problems


def _read_chunk(chunk: str) -> tuple[list[_Figure], str | None]:
    """The figures of one sentence of one line, and the warning it deserves if any."""
    spans = _spans(chunk)
    if not spans:
        key = _category(chunk) if len(chunk) <= _MAX_LABEL_LINE else None
        return [], (f"no number for {key}: {_quote(chunk)}" if key else None)
    if _NOTICE.search(chunk):
        return [], f"notice, not read as figures: {_quote(chunk)}"
    if _CHATTER.search(chunk):
        return [], None

    unreadable = f"could not read: {_quote(chunk)}"
    if len(spans) > _MAX_NUMBERS:
        return [], unreadable
    next_starts = [s.start for s in spans[1:]] + [len(chunk)]
    head = chunk[: spans[0].start]
    # Two layouts: label first ("танків ‒ 1008 (+22)"), or number first, as infographics are transcribed
    # ("9097 +7 танків / tanks"). Number first needs nothing but bullets before the number; prose
    # ("Росія втратила 9 097 танків", "... російські танки, 11 бойових броньованих машин") is neither and is
    # not read: its numbers are as likely to be the day's increase as the total.
    label_first = _has_letters(head)
    if label_first:
        before = _category(_last_clause(head))
        after = _category(_first_clause(chunk[spans[0].end : next_starts[0]]))
        if before is None or (after is not None and after != before):
            return [], unreadable

    figures: list[_Figure] = []
    complete = True
    prev_end = 0
    for span, next_start in zip(spans, next_starts, strict=True):
        if label_first:
            label = _last_clause(chunk[prev_end : span.start])
        else:
            label = _first_clause(chunk[span.end : next_start])
        prev_end = span.end
        key = _category(label)
        if key is None or span.total is None:
            complete = False
            continue
        figures.append(_Figure(key, span.total, span.increase, chunk))

    if (
        label_first
        and figures
        and (tail := _category(_last_clause(chunk[prev_end:]))) not in (None, figures[-1].key)
    ):
        return figures, f"no number for {tail}: {_quote(chunk)}"  # "tanks ‒ 9097 (+7), APV ‒" (cut off)
    return figures, (None if complete else unreadable)


#: Lines that could not be read are listed up to this many; 100 KB of noise should not make 3,000 warnings.
_MAX_LINE_WARNINGS = 20


def _capped(line_warnings: list[str]) -> list[str]:
    if len(line_warnings) <= _MAX_LINE_WARNINGS:
        return line_warnings
    extra = len(line_warnings) - _MAX_LINE_WARNINGS
    return [*line_warnings[:_MAX_LINE_WARNINGS], f"… and {extra} more lines not read"]


def _collect(figures: list[_Figure], day: date, warnings: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    totals: dict[str, int] = {}
    increases: dict[str, int] = {}
    repeated_same: list[str] = []
    for figure in figures:
        key = figure.key
        if key == "vehicles" and day >= MERGE_DATE:
            # From May 2022 the report has one line for both; media still call it "автомобільної техніки".
            key = "vehicles_fuel_tanks"
            warnings.append(
                f"read as vehicles_fuel_tanks (one line since {MERGE_DATE}): {_quote(figure.source)}"
            )
        if key in totals:
            # The report's own line comes first; a repeat is a bilingual copy or a relaying channel's line.
            if totals[key] == figure.total and increases.get(key) == figure.increase:
                repeated_same.append(key)
            else:
                warnings.append(f"{key} stated twice: kept {totals[key]}, ignored {_quote(figure.source)}")
            continue
        if not BY_KEY[key].active_on(day):
            warnings.append(f"{key} is not in reports dated {day}: {_quote(figure.source)}")
        totals[key] = figure.total
        if figure.increase is not None:
            increases[key] = figure.increase
    if repeated_same:
        warnings.append(f"stated twice with the same figures: {', '.join(dict.fromkeys(repeated_same))}")
    return totals, increases


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


def _report_date(dates: list[_DateMention], as_of: date, warnings: list[str]) -> tuple[date, bool]:
    if not dates:
        warnings.append(f"no date found, used {as_of}")
        return as_of, False
    first = dates[0]
    report_date = first.day
    if first.past_day and first.day < date.max:
        report_date = date.fromordinal(first.day.toordinal() + 1)
        warnings.append(f"{first.day} is the day the losses cover; the report is dated {report_date}")
    if (report_date - as_of).days > 1:
        warnings.append(f"report dated {report_date}, after {as_of}")
    others = sorted({d.day for d in dates[1:]} - {first.day})
    if others:
        warnings.append(f"the text also mentions {', '.join(map(str, others))}; used {first.day}")
    return report_date, True
