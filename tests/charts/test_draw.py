"""The PNG: valid, of the intended size, in both languages (every glyph found: a missing one warns, and
warnings fail the tests), for one category, a comparison and a monthly chart."""

from __future__ import annotations

import struct
import zlib
from datetime import date

import pytest
from sqlalchemy import Engine

from bot.answers import chart as answer
from bot.charts import draw
from bot.charts.request import ChartRequest
from storage.db import reading

TODAY = date(2026, 8, 23)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature and the chunk's CRC."""
    assert png.startswith(PNG_SIGNATURE)
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    body = png[16 : 16 + length]
    (crc,) = struct.unpack(">I", png[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc
    assert png.endswith(b"IEND\xaeB`\x82")
    width, height = struct.unpack(">II", body[:8])
    return width, height


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize(
    ("categories", "code", "size"),
    [
        (("personnel",), "90d", (1280, 960)),
        (("tanks", "afv", "artillery"), "30d", (1280, 1200)),
        (("uav",), "all", (1280, 960)),
    ],
)
def test_a_valid_png_of_the_intended_size(
    full_history: Engine, lang: str, categories: tuple[str, ...], code: str, size: tuple[int, int]
) -> None:
    with reading(full_history) as session:
        chart = answer.chart_data(session, ChartRequest(categories, code), today=TODAY)
    png = draw.png(chart, lang)
    assert png_size(png) == size == draw.size(chart)
    assert 20_000 < len(png) < 400_000  # a real picture, and small enough to send fast


def test_ticks_are_round_dates_within_the_period() -> None:
    assert draw._ticks(date(2024, 10, 1), date(2024, 10, 30)) == [date(2024, 10, d) for d in (1, 8, 15, 22)]
    assert draw._ticks(date(2022, 2, 24), date(2026, 8, 22))[0] == date(2023, 1, 1)
    assert draw._ticks(date(2024, 10, 2), date(2024, 10, 5)) == [date(2024, 10, 2), date(2024, 10, 5)]
