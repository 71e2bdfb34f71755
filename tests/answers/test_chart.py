"""/chart's arguments, its caption in both languages, and the chart buttons' callback data."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from bot.answers import chart as answer
from bot.answers.commands import UsageError
from bot.answers.facts import NoFigures, Unanswerable
from bot.charts.request import ChartPress, ChartRequest, chart_button, parse_callback, switches
from storage.db import reading

TODAY = date(2026, 8, 23)
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("tanks", ChartRequest(("tanks",), "90d")),
        ("Танки 30d", ChartRequest(("tanks",), "30d")),
        ("tanks, afv ,artillery all", ChartRequest(("tanks", "afv", "artillery"), "all")),
        ("air defense 2024", ChartRequest(("air_defense",), "2024")),
        ("tanks 10.2024", ChartRequest(("tanks",), "202410")),
        ("tanks 2024-10-21..2024-10-25", ChartRequest(("tanks",), "20241021-20241025")),
        ("tanks,tanks 7d", ChartRequest(("tanks",), "7d")),
        # One day: the 90 days up to it.
        ("personnel 2024-10-25", ChartRequest(("personnel",), "20240728-20241025")),
    ],
)
def test_arguments(args: str, expected: ChartRequest) -> None:
    assert answer.parse_request(args, today=TODAY, lang="en") == expected


@pytest.mark.parametrize(
    ("args", "lang", "words"),
    [
        ("", "en", "Usage: /chart CATEGORY[,CATEGORY…] [PERIOD]"),
        ("unicorns", "en", "I don't know the category “unicorns”"),
        ("unicorns, tanks", "en", "I don't know the category “unicorns”"),
        ("tanks " + "x" * 300, "en", "That is too long for a command argument.\nUsage: /chart"),
        ("tanks 2030", "en", "in the future"),
        ("tanks abc", "en", "I can't read the period “abc”"),
        ("tanks,afv,mlrs,uav,aircraft", "en", "A chart compares at most 4 categories."),
        ("", "uk", "Використання: /chart"),
        ("tanks abc", "uk", "Не можу розібрати період «abc»"),
    ],
)
def test_bad_arguments_are_explained(args: str, lang: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        answer.parse_request(args, today=TODAY, lang=lang)
    assert words in str(caught.value)


def test_caption_in_both_languages(full_history: Engine) -> None:
    request = ChartRequest(("personnel",), "20241021-20241025")
    with reading(full_history) as session:
        chart = answer.chart_data(session, request, today=TODAY)
    english, ukrainian = answer.caption(chart, "en"), answer.caption(chart, "uk")
    assert "Personnel: losses per day, 21–25 Oct 2024" in english
    assert "<b>7,390</b> in the period; highest day 21 Oct 2024, +1,710" in english
    assert "report of 25 Oct 2024" in english
    assert "Особовий склад: втрати за добу" in ukrainian
    assert f"<b>7{NBSP}390</b> за період; найбільше за добу — 21 жовт. 2024" in ukrainian
    assert "звіт за 25 жовт. 2024" in ukrainian


def test_a_period_without_figures_is_unanswerable(full_history: Engine) -> None:
    # Ground robotic systems were first reported in 2025.
    with reading(full_history) as session, pytest.raises(Unanswerable) as caught:
        answer.chart_data(
            session, ChartRequest(("ground_robotic_systems",), "20230101-20230131"), today=TODAY
        )
    assert isinstance(caught.value.gap, NoFigures)


def test_callback_data_round_trips_within_telegrams_64_bytes() -> None:
    widest = ChartRequest(
        ("ground_robotic_systems", "vehicles_fuel_tanks", "special_equipment", "uav"), "all"
    )
    for request, owner in [(widest, 9_999_999_999), (ChartRequest(("tanks",), "20240101-20241231"), None)]:
        data = request.callback(owner)
        assert len(data.encode()) <= 64
        assert parse_callback(data) == ChartPress(request, owner)
    for stale in (
        "chart:",
        "chart:99:30d:",
        "chart:1:202413:",
        "chart:1:1999:",
        "chart:1:xyz:",
        "chart:1:30d:abc",
        "mod:1:2",
        "chart:1:20240101-2024:",
    ):
        assert parse_callback(stale) is None


def test_switches_mark_the_period_shown() -> None:
    [row] = switches(ChartRequest(("tanks",), "30d"), 5, "uk")
    assert [b.text for b in row] == ["• 30 днів", "90 днів", "1 рік", "увесь час"]
    assert [parse_callback(b.callback_data) for b in row][2] == ChartPress(
        ChartRequest(("tanks",), "365d"), 5
    )
    [[button]] = chart_button(["tanks"], "90d", "en")
    assert button.text == "📈 chart" and parse_callback(button.callback_data) == ChartPress(
        ChartRequest(("tanks",), "90d"), None
    )
