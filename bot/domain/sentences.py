"""The figures of one sentence of a report text: which category each number is for, and whether it is the
war's total or the day's increase.

Layouts read (the README lists them with examples; tests/domain/test_parser_layouts.py has fixtures):

- label first: "танків ‒ 1008 (+22)", "tanks — 7,834 (+6) units", "MLRS: 1095"
- number first: "9097 +7 танків", "11 224 танки (+1 за добу)", "8 тис. 815 (+15) одиниць танків"
- increase first: "за добу знищено 3 танки (загалом 11 300)", "tanks: 3 in the past day, 11,300 in total"
- prose: "the total … is 516,080 soldiers", "destroyed 1,080 invaders during the day"
- several in one sentence: "434 aircraft and 347 helicopters", "28 warships and boats, and two submarines"

A sentence is cut into clauses at commas and semicolons; a clause holds one category's label and its
numbers (or, with no label, adds to the clause before it: "…, including seven destroyed in the past day").
Whether a number is the total or the increase is decided by the first of these that speaks:

1. The report's own shape. In "N (+M)" and "N +M", N is the total and M the increase. A bracket saying
   "загалом"/"in total" holds the total, one saying "за добу" the increase; the pair's other number takes
   the other role.
2. Words of the clause: "за добу", "during the day", "in the past 24 hours" mark the day's figure;
   "загалом", "in total", "since the beginning", "з початку війни" mark the total.
3. The sentence: its other clauses' words, or its "N (+M)" figures (a sentence that has them is the
   report's list of totals). Then the heading line above, if it spoke of the day ("За добу знищено:").
4. A bare figure line, nothing but labels, numbers and words like "about", "units", "осіб", is the
   report's list: the number is the total.

Otherwise the figure is ambiguous and left out, with a warning naming the line. Guessing would publish the
day's losses as the war's totals; a figure left out shows as missing in the moderator's preview.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from bot.domain import parse_warning as msg
from bot.domain.labels import category_of, is_label_word
from bot.domain.numbers import Number, find_numbers
from bot.domain.parse_warning import ParseWarning, quote

__all__ = ["Figure", "Role", "heading_role", "read_sentence"]

Role = Literal["total", "increase"]

#: A whole report in one paragraph has about 30 numbers; a sentence with more is noise, and is not read.
MAX_NUMBERS = 100


@dataclass(frozen=True)
class Figure:
    key: str
    total: int | None
    increase: int | None
    #: The sentence it was read from, for warnings and the preview's findings.
    line: str
    #: Read from a line of the report's list ("танків ‒ 9097 (+9) од."), not from prose around it: where
    #: a relay's own sentence and the list disagree, the list is the General Staff's wording.
    listed: bool = False


# --- Markers -----------------------------------------------------------------------------------------

# Words that say a number is the day's figure, or the war's total. They are blanked before numbers are
# read, so "in the past 24 hours" lends no 24 to a label.
_DAY = re.compile(
    r"\bза (?:минулу |попередню |останню )?(?:добу|сутки|день)\b"
    r"|\b(?:протягом |упродовж |за )?(?:минулої|попередньої|останньої) доби\b|\bпротягом доби\b"
    r"|\bза (?:минулі |останні )?24 години\b|\bза прошедшие сутки\b"
    r"|\b(?:during|in|over|for|within) the (?:past |last |previous )?(?:day|24 hours)\b"
    r"|\b(?:in|over) (?:the )?(?:past|last) 24 hours\b|\bper day\b|\bin the latest update\b",
    re.IGNORECASE,
)
_TOTAL = re.compile(
    r"\bзагалом\b|\bвсього\b|\bусього\b|\bсумарно\b"
    r"|\b(?:з|від) початку (?:повномасштабного |повномасштабної )?(?:війни|вторгнення)\b"
    r"|\bза (?:весь )?час (?:повномасштабного |повномасштабної )?(?:війни|вторгнення)\b"
    r"|\bзагальні (?:бойові )?#?втрати\b|\bвтрати (?:ворога|противника)\b"
    r"|\bin total\b|\btotal\b|\boverall\b|\baltogether\b|\bsince the (?:beginning|start)\b"
    r"|\blosses of the enemy\b",
    re.IGNORECASE,
)
# "понад тисяча", "over 1,000", "almost 700": a rounded figure, not a count.
_ROUNDING = re.compile(
    r"\b(?:понад|більше(?: ніж)?|більш ніж|майже|щонайменше|over|more than|almost|nearly|at least"
    r"|under|less than) ?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    role: Role


def _markers(sentence: str) -> list[_Marker]:
    found = [_Marker(m.start(), m.end(), "increase") for m in _DAY.finditer(sentence)]
    found += [_Marker(m.start(), m.end(), "total") for m in _TOTAL.finditer(sentence)]
    return sorted(found, key=lambda m: m.start)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """TEXT with each span replaced by spaces, so that positions stay where they were."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _only_role(markers: list[_Marker]) -> Role | None:
    roles = {m.role for m in markers}
    return roles.pop() if len(roles) == 1 else None


def heading_role(line: str) -> Role | None:
    """The role a heading line ("За добу знищено:") gives the bare figure lines under it: only the day's,
    since a heading that speaks of totals adds nothing to what bare lines already mean."""
    return "increase" if _only_role(_markers(line)) == "increase" else None


# --- Numbers and brackets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A number of the sentence, alone or with the bracket around it: "9097", "(+7)", "+7", "(загалом 9097)".

    ROLE is what the piece says of itself: None for a plain number; "increase" for "+7", "(+7)", "(-2)" or
    "(7 за добу)"; "total" for "(загалом 9097)". VALUE is None when the number is not a count."""

    start: int
    end: int
    value: int | None
    role: Role | None
    bracketed: bool
    in_words: bool


_BRACKET = re.compile(r"\([^()]{0,80}\)")
# "+7" outside brackets; "(+7", "( - 2" opening a bracket (read on the text before markers are blanked, so
# that "(загалом - 11 300)" is not "(-11 300)").
_PLUS = re.compile(r"\+ ?\(? ?$")
_BRACKET_SIGN = re.compile(r"\( ?([+-]) ?")


def _pieces(sentence: str, masked: str, numbers: list[Number], markers: list[_Marker]) -> list[_Piece]:
    """Numbers as pieces: those in one bracket become one piece, a number after "+" an increase."""
    pieces: list[_Piece] = []
    brackets = [m.span() for m in _BRACKET.finditer(masked)]
    taken: set[int] = set()
    for start, end in brackets:
        inside = [i for i, n in enumerate(numbers) if start < n.start and n.end < end]
        if inside:
            taken.update(inside)
            pieces.append(_bracket_piece(sentence, start, end, [numbers[i] for i in inside], markers))
    for i, number in enumerate(numbers):
        if i not in taken:
            plus = _PLUS.search(masked, max(0, number.start - 4), number.start)
            role: Role | None = None if plus is None else "increase"
            start = number.start if plus is None else plus.start()
            pieces.append(_Piece(start, number.end, number.value, role, False, number.in_words))
    return sorted(pieces, key=lambda p: p.start)


def _bracket_piece(
    sentence: str, start: int, end: int, inside: list[Number], markers: list[_Marker]
) -> _Piece:
    number = inside[0]
    words = all(n.in_words for n in inside)
    if len(inside) > 1:
        return _Piece(start, end, None, None, True, words)  # "(+7, 3 of them today)": not one figure
    sign = _BRACKET_SIGN.fullmatch(sentence, start, number.start)
    if sign is not None and number.value is not None:
        value = -number.value if sign.group(1) == "-" else number.value
        return _Piece(start, end, value, "increase", True, words)
    said = _only_role([m for m in markers if start < m.start and m.end < end])
    return _Piece(start, end, number.value, said, True, words)


def _unless_rounded(masked: str, number: Number) -> Number:
    if number.value is not None and _ROUNDING.search(masked, max(0, number.start - 12), number.start):
        return Number(number.start, number.end, None, number.in_words)
    return number


# --- Groups: a number with the bracket or "+N" that goes with it -------------------------------------


@dataclass
class _Group:
    start: int
    end: int
    total: int | None = None
    increase: int | None = None
    #: Numbers whose role the group's own shape does not say.
    plain: list[int] = field(default_factory=list)
    unreadable: bool = False
    in_words: bool = True
    #: Text between the number and a bracket joined to it later: "танки" in "11 224 танки (+1)".
    inner: str = ""

    @property
    def size(self) -> int:
        return (self.total is not None) + (self.increase is not None) + len(self.plain)

    def add(self, piece: _Piece) -> None:
        self.in_words = self.in_words and piece.in_words
        if piece.value is None:
            self.unreadable = True
        elif piece.role == "total":
            self.total = piece.value
        elif piece.role == "increase":
            self.increase = piece.value
        else:
            self.plain.append(piece.value)

    def takes(self, piece: _Piece) -> bool:
        """Whether PIECE (a bracket or "+N") completes this group rather than starting the next."""
        if self.unreadable or self.size >= 2 or not (piece.bracketed or piece.role == "increase"):
            return False
        if piece.role == "total":
            return self.total is None
        if piece.role == "increase":
            return self.increase is None
        return True


def _groups(masked: str, pieces: list[_Piece]) -> list[_Group]:
    groups: list[_Group] = []
    for piece in pieces:
        if groups and groups[-1].takes(piece):
            group = groups[-1]
            group.inner += masked[group.end : piece.start]
            group.end = piece.end
        else:
            group = _Group(piece.start, piece.end)
            groups.append(group)
        group.add(piece)
    return groups


@dataclass(frozen=True)
class _Read:
    total: int | None
    increase: int | None


def _resolve(group: _Group, role: Role | None) -> _Read | None:
    """The group's total and increase, ROLE settling a lone plain number; None when they cannot be told."""
    if group.unreadable or len(group.plain) > 1:
        return None
    if not group.plain:
        return _Read(group.total, group.increase)
    plain = group.plain[0]
    if group.total is None and group.increase is not None:
        return _Read(plain, group.increase)  # "9097 (+7)": the report's own shape
    if group.increase is None and group.total is not None:
        return _Read(group.total, plain)  # "3 танки (загалом 11 300)"
    if group.total is not None or role is None:
        return None  # a third number, or a lone plain one that nothing speaks for
    return _Read(plain, None) if role == "total" else _Read(None, plain)


# --- Clauses -----------------------------------------------------------------------------------------

# Commas and semicolons end a clause, and so does a full stop before a space; not inside a number
# ("1,080") or a bracket.
_CLAUSE_END = re.compile(r"[,;]|\.(?= |$)")
_SEPARATOR = re.compile(r"[,;:.]")
_EDGE = " -,;:.…•*"
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
# Words a bare figure line has besides its label: "personnel ‒ about 19600 осіб", "MLRS — 1095 units".
_FILLER_WORDS = (
    "about approximately approx around estimated an a were was liquidated persons person units unit pcs "
    "and of the близько орієнтовно приблизно ліквідовано осіб особи од одиниць одиниці одиниця шт та і й з"
)
_FILLERS = frozenset(_FILLER_WORDS.split())
# Words of a clause with no label that adds to the clause before it: ", including seven destroyed in the
# past day", ", with 84 destroyed in the latest update", ", загалом 11 300".
_MORE_ADDING_WORDS = (
    "including with which them destroyed in а у тому числі них зокрема знищено знищених знищили"
)
_ADDING_WORDS = _FILLERS | frozenset(_MORE_ADDING_WORDS.split())


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


@dataclass
class _Clause:
    text: str
    groups: list[_Group]
    #: Text before, between and after the groups: one more than there are groups.
    gaps: list[str]
    words: list[str]
    #: What the clause's own words say its plain numbers are (None: nothing, or both).
    role: Role | None
    #: The clause has such words: then it speaks for itself, and both at once is ambiguous.
    marked: bool
    keys: list[str | None] = field(default_factory=list)
    #: The labels do not agree ("танків ‒ 9097 ББМ (+33)"): nothing in the clause is read.
    conflict: bool = False

    @property
    def labelled(self) -> bool:
        return any(self.keys)

    @property
    def bare_line(self) -> bool:
        """Nothing but labels, numbers and filler words: a line of the report's list."""
        return all(w.casefold() in _FILLERS or is_label_word(w) for w in self.words)

    @property
    def has_report_shape(self) -> bool:
        return any(g.increase is not None and (g.total is not None or len(g.plain) == 1) for g in self.groups)


def _clause_spans(masked: str, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    inside = bytearray(len(masked))
    for start, end in covered:
        inside[start:end] = b"\x01" * (end - start)
    cuts = [m.start() for m in _CLAUSE_END.finditer(masked) if not inside[m.start()]]
    bounds = [-1, *cuts, len(masked)]
    return [(a + 1, b) for a, b in itertools.pairwise(bounds) if masked[a + 1 : b].strip()]


def _clause(
    masked: str, wording: str, span: tuple[int, int], pieces: list[_Piece], markers: list[_Marker]
) -> _Clause:
    start, end = span
    groups = _groups(masked, [p for p in pieces if start <= p.start < end])
    edges = [start, *(x for g in groups for x in (g.start, g.end)), end]
    gaps = [masked[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    own = [m for m in markers if start <= m.start < end and not _in_bracket(m, pieces)]
    clause = _Clause(
        masked[start:end], groups, gaps, _WORD.findall(wording[start:end]), _only_role(own), bool(own)
    )
    clause.keys, clause.conflict = _labels(clause)
    return clause


def _in_bracket(marker: _Marker, pieces: list[_Piece]) -> bool:
    return any(p.bracketed and p.start < marker.start < p.end for p in pieces)


def _labels(clause: _Clause) -> tuple[list[str | None], bool]:
    """The category of each group (None where no label names it), and whether labels disagree.

    One group: the label before it ("танків ‒ 1008") or after it ("1008 танків", "11 224 танки (+1)"); both
    may be given if they agree (bilingual lines). Several groups: labels come first if the clause starts
    with one ("tanks ‒ 9097 (+7) APV ‒ 18287"), else each label follows its number ("434 aircraft and 347
    helicopters")."""
    groups, gaps = clause.groups, clause.gaps
    if not groups:
        key = category_of(_last_clause(gaps[0])) or category_of(_first_clause(gaps[0]))
        return [key], False
    after = [
        category_of(_first_clause(g.inner if _has_letters(g.inner) else gaps[i + 1]))
        for i, g in enumerate(groups)
    ]
    before = [category_of(_last_clause(gaps[i])) for i in range(len(groups))]
    if len(groups) == 1:
        conflict = None not in (before[0], after[0]) and before[0] != after[0]
        return [before[0] or after[0]], conflict
    return (before if before[0] is not None else after), False


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# --- The sentence ------------------------------------------------------------------------------------


@dataclass
class _Sentence:
    text: str
    figures: list[Figure] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    def warn(self, message: str, **fields: object) -> None:
        warning = ParseWarning(message, {**fields, "line": quote(self.text)})
        if warning not in self.warnings:
            self.warnings.append(warning)


def read_sentence(sentence: str, *, heading: Role | None = None) -> tuple[list[Figure], list[ParseWarning]]:
    """The figures SENTENCE states and the warnings it deserves. HEADING is what the heading line above
    says bare lines are (see `heading_role`)."""
    out = _Sentence(sentence)
    markers = _markers(sentence)
    masked = _blank(sentence, [(m.start, m.end) for m in markers])
    numbers = find_numbers(masked, limit=MAX_NUMBERS + 1)
    if len(numbers) > MAX_NUMBERS:
        out.warn(msg.UNREADABLE)
        return out.figures, out.warnings
    pieces = _pieces(sentence, masked, [_unless_rounded(masked, n) for n in numbers], markers)
    covered = [(p.start, p.end) for p in pieces]
    wording = _blank(masked, covered)  # the words alone
    clauses = [_clause(masked, wording, span, pieces, markers) for span in _clause_spans(masked, covered)]
    role = _sentence_role(clauses, heading)
    for clause in clauses:
        _read_clause(out, clause, role)
    return out.figures, out.warnings


def _sentence_role(clauses: list[_Clause], heading: Role | None) -> Role | None:
    """What the sentence says its plain numbers are. Clauses with numbers and no label add to the clause
    before them, so their words speak only for themselves."""
    speaking = [c for c in clauses if c.labelled or not c.groups]
    day = any(c.role == "increase" for c in speaking)
    total = any(c.role == "total" or c.has_report_shape for c in speaking)
    if day != total:
        return "increase" if day else "total"
    if day:
        return None
    if heading is not None:
        return heading
    if any(c.labelled for c in speaking) and all(c.bare_line for c in speaking):
        return "total"
    return None


def _read_clause(out: _Sentence, clause: _Clause, sentence_role: Role | None) -> None:
    if not clause.groups:
        key = clause.keys[0]
        if key is not None and clause.bare_line:
            out.warn(msg.NO_NUMBER, cat=key)  # "гелікоптерів ‒" at the end of a cut-off text
        return
    if not clause.labelled:
        _add_to_previous(out, clause)
        return
    if clause.conflict:
        out.warn(msg.UNREADABLE)
        return
    role = clause.role if clause.marked else sentence_role
    for key, group in zip(clause.keys, clause.groups, strict=True):
        read = _resolve(group, role)
        if key is None or group.unreadable:
            out.warn(msg.UNREADABLE)
        elif read is None:  # "3 танки (11 300)", or a plain number nothing speaks for
            out.warn(msg.AMBIGUOUS, cat=key, value=group.plain[0])
        else:
            out.figures.append(Figure(key, read.total, read.increase, out.text, clause.bare_line))


def _add_to_previous(out: _Sentence, clause: _Clause) -> None:
    """A clause with no label (", including seven destroyed in the past day", ", загалом 11 300") completes
    the figure before it, when its words say what its number is and that part is still missing."""
    read = _resolve(clause.groups[0], clause.role) if len(clause.groups) == 1 else None
    previous = out.figures[-1] if out.figures else None
    if (
        read is not None
        and previous is not None
        and all(w.casefold() in _ADDING_WORDS for w in clause.words)
        and (read.total is None or previous.total is None)
        and (read.increase is None or previous.increase is None)
    ):
        out.figures[-1] = Figure(
            previous.key,
            previous.total if read.total is None else read.total,
            previous.increase if read.increase is None else read.increase,
            previous.line,
            previous.listed,
        )
    elif not all(g.in_words for g in clause.groups):
        out.warn(msg.UNREADABLE)  # numbers in words with no label are prose: "one of the few"
