"""What an inline query is offered: every query command that can answer it, in a stable order."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from bot.answers import inline
from bot.charts.request import ChartRequest
from storage.db import reading

TODAY = date(2026, 8, 23)


def offered(engine: Engine, query: str, lang: str = "en") -> list[inline.InlineItem]:
    with reading(engine) as session:
        return inline.results(session, query, today=TODAY, lang=lang)


def test_a_category_a_date_and_a_period(full_history: Engine) -> None:
    tanks = offered(full_history, "tanks 10.2024")
    assert [i.id.split("-")[0] for i in tanks] == ["category", "top"]
    assert tanks[0].chart == ChartRequest(("tanks",), "202410")
    assert tanks[1].title == "Top 10 days: Tanks, October 2024"
    day = offered(full_history, "25.10.2024", "uk")
    assert [i.id.split("-")[0] for i in day] == ["day", "totals", "range"]
    assert day[0].title.startswith("Звіт за 25 жовт. 2024")
    assert [i.id.split("-")[0] for i in offered(full_history, "тиждень")] == ["range"]


def test_ids_are_unique_and_short_and_nonsense_gets_nothing(full_history: Engine) -> None:
    items = offered(full_history, "") + offered(full_history, "tanks") + offered(full_history, "2024")
    assert len({i.id for i in items}) == len(items)
    assert all(len(i.id.encode()) <= 64 and len(i.title) <= 128 for i in items)
    assert offered(full_history, "what is this") == []
    assert offered(full_history, "x" * 300) == []
