"""A chart as the buttons under answers name it: categories and a period code, in at most 64 bytes of
callback data (the categories by their place in the category list, who asked, the period as a short code
that stays relative: "30d" is the last 30 days when the button is pressed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.answers.reply import Button, Keyboard
from bot.domain.categories import KEYS
from bot.domain.dates import WAR_START
from bot.domain.periods import Period, PeriodError, parse_period
from bot.i18n.catalog import N_, _

#: Without a period: the last 90 days (of figures: up to the newest report).
DEFAULT_CODE = "90d"
#: The buttons under a chart: (label, period code).
SWITCHES = (("30d", "30d"), ("90d", "90d"), ("1y", "365d"), ("all", "all"))
CALLBACK_PREFIX = "chart:"


@dataclass(frozen=True)
class ChartRequest:
    """What to chart: category keys and a period code (see `period_code`)."""

    categories: tuple[str, ...]
    code: str

    def callback(self, owner: int | None) -> str:
        """The button data that asks for this chart: switching OWNER's chart in place, or (OWNER None)
        sending it as a new message, to whoever presses."""
        cats = ".".join(str(KEYS.index(key)) for key in self.categories)
        return f"{CALLBACK_PREFIX}{cats}:{self.code}:{owner if owner is not None else ''}"


@dataclass(frozen=True)
class ChartPress:
    """A pressed chart button: the chart it asks for and whose chart it switches (None: a new one)."""

    request: ChartRequest
    owner: int | None


def parse_callback(callback: str) -> ChartPress | None:
    """The chart a button's data asks for, or None when the data is not a chart's (or no longer valid)."""
    parts = callback.removeprefix(CALLBACK_PREFIX).split(":")
    if not callback.startswith(CALLBACK_PREFIX) or len(parts) != 3:
        return None
    cats, code, owner = parts
    try:
        keys = tuple(KEYS[int(n)] for n in cats.split("."))
        who = int(owner) if owner else None
    except (ValueError, IndexError):
        return None
    if not keys or not _valid_code(code):
        return None
    return ChartPress(ChartRequest(keys, code), who)


def _valid_code(code: str) -> bool:
    try:
        period_of(code, today=date.max, latest=None)
    except (ValueError, PeriodError):
        return False
    return True


def period_code(period: Period) -> str:
    """A short text that names PERIOD again later: relative periods stay relative ("30d", "all"), a year or
    month stays one ("2024", "202410"), others are their days ("20241021-20241025")."""
    if period.kind == "all":
        return "all"
    if period.kind == "last_days" and period.days is not None:
        return f"{period.days}d"
    if period.kind == "year":
        return f"{period.first_day:%Y}"
    if period.kind == "month":
        return f"{period.first_day:%Y%m}"
    return f"{period.first_day:%Y%m%d}-{period.end:%Y%m%d}"


def period_of(code: str, *, today: date, latest: date | None) -> Period:
    """The period CODE names, today; relative ones end at LATEST, the newest report (as /range does)."""
    if code == "all" or code.endswith("d"):
        period = parse_period(code, today=today).up_to(latest)
        if latest is not None and period.kind == "all" and latest < period.end:
            period = Period(None, latest, "all")
        return period
    if code.isdigit() and len(code) in (4, 6):  # a calendar year or month, named as such
        return parse_period(code if len(code) == 4 else f"{code[:4]}-{code[4:]}", today=today)
    first, dash, last = code.partition("-")
    if not dash or len(first) != 8 or len(last) != 8:
        raise ValueError(code)
    start = date(int(first[:4]), int(first[4:6]), int(first[6:]))
    end = date(int(last[:4]), int(last[4:6]), int(last[6:]))
    if not WAR_START <= start <= end:
        raise ValueError(code)
    return Period(start, end, "range")


def switches(request: ChartRequest, owner: int | None, lang: str) -> Keyboard:
    """The period buttons under a chart; the one shown is marked."""
    labels = {"30d": N_("30 days"), "90d": N_("90 days"), "1y": N_("1 year"), "all": N_("all")}
    row = tuple(
        Button(
            ("• " if code == request.code else "") + _(lang, labels[name]),
            ChartRequest(request.categories, code).callback(owner),
        )
        for name, code in SWITCHES
    )
    return (row,)


def chart_button(categories: Sequence[str], code: str, lang: str) -> Keyboard:
    """The "📈 chart" button under /day and /category: sends that chart as a new message."""
    return ((Button(_(lang, "📈 chart"), ChartRequest(tuple(categories), code).callback(None)),),)
