"""Numbers as report texts write them, for the report parser.

Digits with any thousands separator ("685910", "685 910", "685,910"), digits split by a scale word as
Ukrainian media write them ("646 тис. 400", "1 мільйона 112 460"), and small numbers in words, English or
Ukrainian ("seven", "two submarines", "один підводний човен", "двадцять три").

A rounded figure is found too, with no value: "685,9 тис.", "1.22 million", "646 тис." with nothing after
it, a bare "тисяча". It says how big a category is but is not a count, so it must never be stored; the
parser reports it unread. Nothing here guesses: a sequence that does not compose ("3 тис. 5 тис.") is
read as separate numbers, each judged on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Number", "find_numbers"]


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    #: The count, or None for a rounded figure (or one too long to be a count).
    value: int | None
    #: Written in words only: prose says "one of the few" and "three reasons", so a number in words is a
    #: figure only where a category label or a day/total marker goes with it.
    in_words: bool


#: Longer digit strings are noise (and int() refuses very long ones); the largest real total has 7 digits.
MAX_DIGITS = 9

# Grouped thousands ("1 630", "1,630"; any space is a plain space after normalisation) or a plain run of
# digits, or a decimal ("685,9", "1.22"), matched only to be refused as rounded. Not glued to a letter or
# another digit on either side: "T90", "4th" and "11k" are not counts (and "11k" is not "1"). Every
# repetition is anchored on digits or a single separator, so nothing here backtracks badly on long input.
_DIGITS = r"(?<![^\W_])(?:[0-9]{1,3}(?:[ ,][0-9]{3})+|[0-9]+(?:[.,][0-9]+)?)(?![^\W_])"
#: What no report puts inside a number, though it may join digits on screen: apostrophes and primes
#: ("12'251", a Swiss thousands mark), the underscore, bidirectional marks (RTL/LTR marks, embeddings,
#: isolates) and superscript or subscript digits. A number holding one is not read at all ("12'251" is
#: neither 12 nor 12251): it has no value, so its line is reported unread.
GLUE = "'’ʼ`′_\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069⁰¹²³⁴-⁹₀-₉"
# Digits grouped the way reports group them, with GLUE between two groups somewhere. Every repetition
# starts on a separator or a GLUE character, so this never backtracks badly on long input.
_GLUED = rf"(?<![^\W_])[0-9]+(?:[ ,][0-9]{{3}})*(?:[{GLUE}]+[0-9]+(?:[ ,][0-9]{{3}})*)+(?![^\W_])"
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[ ,][0-9]{3})+")

_SCALES: dict[str, int] = {
    "тис": 1000,
    "тыс": 1000,
    "тисяча": 1000,
    "тисячі": 1000,
    "тисяч": 1000,
    "thousand": 1000,
    "млн": 1_000_000,
    "mln": 1_000_000,
    "million": 1_000_000,
    "мільйон": 1_000_000,
    "мільйона": 1_000_000,
    "мільйонів": 1_000_000,
    "миллион": 1_000_000,
    "миллиона": 1_000_000,
}
#: Abbreviations whose full stop belongs to them: "646 тис. 400".
_ABBREVIATIONS = frozenset({"тис", "тыс", "млн"})

_APOSTROPHES = "'’ʼ`"


def _words(spec: str) -> dict[str, int]:
    """A table from "word value" pairs, each word with every apostrophe relays use (п'ять, п’ять, пʼять)."""
    items = spec.split()
    table: dict[str, int] = {}
    for word, value in zip(items[::2], items[1::2], strict=True):
        for apostrophe in _APOSTROPHES:
            table[word.replace("'", apostrophe)] = int(value)
    return table


# The forms relays use, nominative and the oblique cases that follow prepositions ("з двох", "трьох").
# "ста" is left out: it is also a word ("ста" of "стати").
_NUMBER_WORDS: dict[str, int] = _words(
    "zero 0 one 1 two 2 three 3 four 4 five 5 six 6 seven 7 eight 8 nine 9 ten 10 eleven 11 twelve 12 "
    "thirteen 13 fourteen 14 fifteen 15 sixteen 16 seventeen 17 eighteen 18 nineteen 19 twenty 20 "
    "thirty 30 forty 40 fifty 50 sixty 60 seventy 70 eighty 80 ninety 90 "
    "один 1 одна 1 одне 1 одного 1 одну 1 одній 1 два 2 дві 2 двох 2 три 3 трьох 3 чотири 4 чотирьох 4 "
    "п'ять 5 п'яти 5 шість 6 шести 6 сім 7 семи 7 вісім 8 восьми 8 дев'ять 9 дев'яти 9 десять 10 десяти 10 "
    "одинадцять 11 дванадцять 12 тринадцять 13 чотирнадцять 14 п'ятнадцять 15 шістнадцять 16 "
    "сімнадцять 17 вісімнадцять 18 дев'ятнадцять 19 двадцять 20 тридцять 30 сорок 40 п'ятдесят 50 "
    "шістдесят 60 сімдесят 70 вісімдесят 80 дев'яносто 90 сто 100 двісті 200 триста 300 чотириста 400 "
    "п'ятсот 500 шістсот 600 сімсот 700 вісімсот 800 дев'ятсот 900"
)
_HUNDRED = "hundred"


# Digits, or a word (apostrophes inside: "п'ять"), which is an atom if the tables know it. Looking words up
# rather than matching an alternation of every number word keeps long texts fast.
_TOKEN = re.compile(rf"(?P<glued>{_GLUED})|(?P<digits>{_DIGITS})|[^\W\d_]+(?:['’ʼ`][^\W\d_]+)*")
# Atoms of one number are separated by a space at most ("646 тис. 400") or a hyphen ("twenty-one").
_JOINER = re.compile(r" ?-? ?")


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    text: str
    kind: str  # "digits" | "scale" | "word"


def _atoms(text: str) -> Iterator[_Atom]:
    for match in _TOKEN.finditer(text):
        word, end = match.group().casefold(), match.end()
        if match.group("digits") is not None or match.group("glued") is not None:
            kind = "digits"
        elif word in _SCALES:
            kind = "scale"
            end += word in _ABBREVIATIONS and text.startswith(".", end)
        elif word in _NUMBER_WORDS or word == _HUNDRED:
            kind = "word"
        else:
            continue  # "сім'я", "одиниць", "someone": words, not numbers
        yield _Atom(match.start(), end, text[match.start() : end], kind)


def _runs(text: str, atoms: Iterator[_Atom]) -> Iterator[list[_Atom]]:
    """Atoms that touch (a space or hyphen between them) as one run: one number, or a few in a row."""
    run: list[_Atom] = []
    for atom in atoms:
        if run and not _JOINER.fullmatch(text, run[-1].end, atom.start):
            yield run
            run = []
        run.append(atom)
    if run:
        yield run


def _digits_value(text: str) -> int | None:
    """ "1 630" -> 1630; a decimal or an overlong run -> None."""
    if _THOUSANDS.fullmatch(text):
        digits = text.replace(" ", "").replace(",", "")
    elif text.isascii() and text.isdigit():
        digits = text
    else:
        return None
    return int(digits) if len(digits) <= MAX_DIGITS else None


def _take_small(run: list[_Atom], i: int) -> tuple[int | None, int, bool]:
    """The number below a thousand that starts at RUN[I]: (value, atoms used, in words). A digits atom is
    one number; words add up while each is smaller than the one before ("twenty one", "сто двадцять
    три"), and "hundred" multiplies the one word before it ("one hundred twenty")."""
    atom = run[i]
    if atom.kind == "digits":
        return _digits_value(atom.text), 1, False
    total, last, used = 0, 1000, 0
    for word in run[i:]:
        name = word.text.casefold()
        if word.kind != "word":
            break
        if name == _HUNDRED:
            if not (used == 1 and 0 < total < 10):
                break
            total, last = total * 100, 100
        elif _NUMBER_WORDS[name] < last:
            total, last = total + _NUMBER_WORDS[name], _NUMBER_WORDS[name]
        else:
            break
        used += 1
    return (total if used else None), max(used, 1), True


def _scale_at(run: list[_Atom], i: int) -> int | None:
    return _SCALES[run[i].text.casefold().rstrip(".")] if i < len(run) and run[i].kind == "scale" else None


def _compose(run: list[_Atom], start: int) -> tuple[int | None, int, bool]:
    """The number that starts at RUN[START]: (value, or None if rounded; atoms used; in words).

    Small numbers times falling scales, then a remainder below the last scale: "1 мільйона 112 460",
    "646 тис. 400". One that ends on a scale ("646 тис.", "1.22 million") or is a bare scale ("тисяча")
    is rounded. Where the next part does not fit ("3 тис. 5000"), the number ends before it.
    """
    if run[start].kind == "scale":
        return None, 1, True
    value, last_scale, i, in_words = 0, 0, start, True
    while i < len(run) and run[i].kind != "scale":
        small, used, words = _take_small(run, i)
        scale = _scale_at(run, i + used)
        if i > start and (small is None or small >= last_scale or (scale or 0) >= last_scale):
            break
        in_words = in_words and words
        if small is None:  # "685,9 тис.", "1.22 million", or a decimal alone
            return None, i + used - start + (scale is not None), in_words
        if scale is None:
            return value + small, i + used - start, in_words
        value, last_scale, i = value + small * scale, scale, i + used + 1
    return None, i - start, in_words  # ended on a scale: "646 тис."


def find_numbers(text: str, *, limit: int | None = None) -> list[Number]:
    """Every number in TEXT, in order, each with its span; rounded ones have no value. With LIMIT, the
    first LIMIT numbers only: a caller that refuses more need not read 100 KB of them."""
    numbers: list[Number] = []
    for run in _runs(text, _atoms(text)):
        i = 0
        while i < len(run):
            if limit is not None and len(numbers) >= limit:
                return numbers
            value, used, in_words = _compose(run, i)
            numbers.append(Number(run[i].start, run[i + used - 1].end, value, in_words))
            i += used
    return numbers
