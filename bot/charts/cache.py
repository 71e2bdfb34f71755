"""Charts already drawn: the PNG, and the Telegram file id once it has been uploaded.

The key is the chart's digest (what it draws: categories, period, every figure, the report date and
sources) and the language, so a correction or a new report makes a new key by itself, and identical
requests are answered without drawing, and after the first upload without uploading either.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass

from bot.charts import draw
from bot.charts.data import ChartData

#: How many charts are kept (a PNG is 90–150 KB: about 10 MB at most).
MAX_CHARTS = 64


@dataclass
class _Drawn:
    png: bytes
    file_id: str | None = None


class ChartCache:
    def __init__(self, max_charts: int = MAX_CHARTS) -> None:
        self._charts: OrderedDict[tuple[str, str], _Drawn] = OrderedDict()
        self._max = max_charts
        self._lock = threading.Lock()
        #: How many charts were drawn (for the benchmark and the tests).
        self.drawn = 0

    async def photo(self, chart: ChartData, lang: str) -> str | bytes:
        """What to send: the file id of the same chart uploaded before, else its PNG (drawn in a worker
        thread the first time, so the event loop keeps answering other chats)."""
        key = (chart.digest(), lang)
        found = self._get(key)
        if found is not None:
            return found.file_id or found.png
        png = await asyncio.to_thread(draw.png, chart, lang)
        with self._lock:
            self.drawn += 1
            self._charts[key] = _Drawn(png)
            self._charts.move_to_end(key)
            while len(self._charts) > self._max:
                self._charts.popitem(last=False)
        return png

    def file_id(self, chart: ChartData, lang: str) -> str | None:
        """The Telegram file id of the chart, if it was uploaded (inline answers can only send those)."""
        found = self._get((chart.digest(), lang))
        return found.file_id if found is not None else None

    def uploaded(self, chart: ChartData, lang: str, file_id: str | None) -> None:
        """Remember where Telegram keeps the chart, after it was sent."""
        if not file_id:
            return
        with self._lock:
            found = self._charts.get((chart.digest(), lang))
            if found is not None:
                found.file_id = file_id

    def _get(self, key: tuple[str, str]) -> _Drawn | None:
        with self._lock:
            found = self._charts.get(key)
            if found is not None:
                self._charts.move_to_end(key)
            return found
