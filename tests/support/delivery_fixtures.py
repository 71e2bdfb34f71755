"""Small report histories for the delivery tests (stored with the real store)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from bot.domain.report import ReportFigures
from storage.db import transaction
from storage.writes import store_reports

URL = "https://www.mil.gov.ua/news/2024/10/25/test"


def reports(last: date = date(2024, 10, 25), days: int = 8) -> list[ReportFigures]:
    """DAYS reports ending on LAST. The last day: personnel +1,630 (2nd-highest at the time behind
    +3,160 on the first day), tanks cross 12,500, a new drones record."""
    out = []
    personnel, tanks, uav = 690_000, 12_470, 30_000
    first = last - timedelta(days=days - 1)
    for i in range(days):
        day = first + timedelta(days=i)
        is_last = day == last
        inc_p = 3_160 if i == 0 else (1_630 if is_last else 1_000 + 10 * i)
        inc_t = 25 if is_last else 2
        inc_u = 900 if is_last else 50 + i
        personnel, tanks, uav = personnel + inc_p, tanks + inc_t, uav + inc_u
        out.append(
            ReportFigures(
                day,
                "petroivaniuk",
                {"personnel": personnel, "tanks": tanks, "uav": uav},
                {"personnel": inc_p, "tanks": inc_t, "uav": inc_u},
                URL if is_last else None,
            )
        )
    return out


def store(engine: Engine, items: list[ReportFigures]) -> None:
    with transaction(engine) as session:
        store_reports(session, items)
