"""What is due when: plain functions over dates, times and zones (no Telegram, no database).

Semantics (the database's unique (post, chat, kind) row makes each of them at most once):

- A chat "as soon as published" is due a post as soon as the post exists.
- A chat at a fixed local time T in zone Z is due, on its local day D, the latest post whose report was
  known at D T; it is sent at D T or, if the bot was down then, when it is back the same local day D.
  D T is one instant per local day, so DST cannot make it twice or never:
  * a time that happens twice (autumn fall-back, 03:00–03:59 in Kyiv) means its first occurrence;
  * a time that does not exist (spring-forward, 03:00–03:59 in Kyiv) is shifted forward by the gap
    (03:30 → 04:30 summer time), as zoneinfo's fold=0 reading gives.
- A chat gets only reports that became known after it subscribed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: A newly seen report is broadcast only if it is at most this old (measured from the start of its
#: report date in the bot's zone): starting the bot on an old database must not broadcast history.
RECENT = timedelta(hours=36)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_time(text: str) -> time | None:
    """'8:30', '08:30' or '08.30' → 08:30; None when it is not a time of day."""
    match = _TIME.match(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def due_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The one UTC instant of local DAY AT in ZONE (first occurrence if twice; shifted past a gap)."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def is_due(
    *,
    send_at: str | None,
    zone: ZoneInfo,
    subscribed_at: datetime,
    available_at: datetime,
    now: datetime,
) -> bool:
    """Whether a post whose report was known from AVAILABLE_AT is due now to a chat with these settings."""
    if available_at < subscribed_at or now < available_at:
        return False
    if send_at is None:
        return True
    at = parse_time(send_at)
    if at is None:
        return True  # a broken setting must not silence a chat: treat it as "on publication"
    today = now.astimezone(zone).date()
    moment = due_at(today, at, zone)
    return available_at <= moment <= now


def is_recent(report_date: date, now: datetime, zone: ZoneInfo) -> bool:
    """Whether a report dated REPORT_DATE could be today's, so may be broadcast when first seen: its day
    has begun in ZONE (a report from the future is a mistake, however it was stored) and not RECENT ago."""
    start = datetime.combine(report_date, time(0), tzinfo=zone)
    return timedelta(0) <= now - start <= RECENT
