"""Every table of the bot, in one module: reports and figures, chat preferences, moderation, delivery.

The figures: one row per report, one row per (report, category) figure.

A report is identified by its report date (the date in the General Staff's heading). Its figures keep
both kinds of increase apart (see ../shared/guide/data.md):

- `increase`: the reported increase, the "(+N)" of the text, or the one a source implies by a total one
  day earlier in the same source. NULL when unknown (first report, a gap in the source).
- `change`: the difference of totals against the stored report of the day before. NULL when that day
  has no report or lacked the category. Differs from `increase` on recount days.

Missing is not zero: a category that was not reported on a day has no row that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel
from typing_extensions import override

from bot.domain.dates import utc_now


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite keeps no zone, so restore it on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    @override
    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


EnumT = TypeVar("EnumT", bound=StrEnum)


class StrEnumType(TypeDecorator[EnumT]):
    """A StrEnum stored as its value in a VARCHAR: the rows hold the plain strings ("pending"), and reading
    gives the member back, so code compares members and the database content stays readable.

    A plain string is accepted where a member is (a Core statement may compare with one), but it must be one
    of the values: a typo fails the statement instead of storing a state nothing handles.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[EnumT], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    @override
    def process_bind_param(self, value: EnumT | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    @override
    def process_result_value(self, value: Any | None, dialect: Dialect) -> EnumT | None:
        return None if value is None else self.enum(value)


class Report(SQLModel, table=True):
    __tablename__ = "report"

    report_date: date = Field(primary_key=True)
    source: str = Field(sa_column=Column(String(64), nullable=False))
    source_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    stored_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    #: 1 when first stored; each moderator correction or accepted re-import adds one.
    revision: int = Field(default=1)


class Figure(SQLModel, table=True):
    __tablename__ = "figure"
    __table_args__ = (
        # Rankings: "how many days beat this increase" and "top N" walk this index, never the table.
        Index("ix_figure_category_increase", "category", "increase", "report_date"),
        # Periods and "as of" lookups per category.
        Index("ix_figure_category_date", "category", "report_date", "total", "increase"),
        # Recount days are few: a partial index finds them without reading every figure of a period.
        Index(
            "ix_figure_recount",
            "report_date",
            sqlite_where=text("increase <> change"),
            postgresql_where=text("increase <> change"),
        ),
    )

    report_date: date = Field(
        sa_column=Column(
            "report_date", ForeignKey("report.report_date", ondelete="CASCADE"), primary_key=True
        )
    )
    category: str = Field(sa_column=Column(String(40), primary_key=True))
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    increase: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    change: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class FigureStat(SQLModel, table=True):
    """What the answers need of each figure, derived when it is stored (storage/ranks.py) from the
    category's figures up to it: the running sums a period is the difference of, and the rank the day's
    reported increase held at the time. A write recomputes the rows from its earliest day on, so a
    correction moves the ranks of every later day too. Derived data: `storage.ranks.rebuild` remakes it."""

    __tablename__ = "figure_stat"
    __table_args__ = (
        Index("ix_figure_stat_day", "report_date"),
        # The record of a category is its latest day ranked 1st untied: one seek from the end.
        Index("ix_figure_stat_record", "category", "rank", "ties", "report_date"),
        Index("ix_figure_stat_record_regular", "category", "rank_regular", "ties_regular", "report_date"),
    )

    category: str = Field(sa_column=Column(String(40), primary_key=True))
    report_date: date = Field(
        sa_column=Column(
            "report_date", ForeignKey("report.report_date", ondelete="CASCADE"), primary_key=True
        )
    )
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: How many of the category's figures are dated up to this one (this one included).
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    #: The sum and the count of the reported increases known up to this figure (this one included).
    reported_sum: int = Field(sa_column=Column(BigInteger, nullable=False))
    known: int = Field(sa_column=Column(Integer, nullable=False))
    #: 1 + the days up to this one with a greater increase, and the other days with an equal one;
    #: None when this day's increase is unknown.
    rank: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    ties: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    #: The same, counting from storage.ranks.REGULAR_FROM only; None for the days before it.
    known_regular: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    rank_regular: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    ties_regular: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


class ChatPrefs(SQLModel, table=True):
    """Per-chat choices that outlive a restart: for now the language set with /lang."""

    __tablename__ = "chat_prefs"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    lang: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


# ------------------------------------------------------------------------------------------ moderation


class PreviewStatus(StrEnum):
    """Where a moderator's preview stands; only a pending one can be published or cancelled."""

    PENDING = "pending"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    #: The stored data changed since the preview was shown (or it is older than a day): not publishable.
    STALE = "stale"


class RevisionAction(StrEnum):
    """What a moderator did: publish a report text, or correct one figure with /correct."""

    PUBLISH = "publish"
    CORRECT = "correct"


class ReportRevision(SQLModel, table=True):
    """One publish or correction by a moderator: who, when, from what text, which revision it made."""

    __tablename__ = "report_revision"
    __table_args__ = (UniqueConstraint("report_date", "revision", name="uq_report_revision_date_rev"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    report_date: date = Field(index=True)
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    moderator_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    action: RevisionAction = Field(sa_column=Column(StrEnumType(RevisionAction, 16), nullable=False))
    raw_text: str = Field(sa_column=Column(Text, nullable=False))
    #: The figures as published: {"totals": {...}, "increases": {...}}.
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PendingPreview(SQLModel, table=True):
    """A preview shown to a moderator, waiting for Publish or Cancel."""

    __tablename__ = "pending_preview"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    moderator_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    report_date: date
    action: RevisionAction = Field(sa_column=Column(StrEnumType(RevisionAction, 16), nullable=False))
    raw_text: str = Field(sa_column=Column(Text, nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Any finding is an error: publishing needs a second, explicit confirmation.
    has_errors: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    #: The fingerprint of the stored data the preview was computed from (see `state_fingerprint`).
    base_fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status: PreviewStatus = Field(
        default=PreviewStatus.PENDING,
        sa_column=Column(StrEnumType(PreviewStatus, 16), nullable=False, index=True),
    )
    #: Who closed it (published or cancelled), and when.
    closed_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


# ------------------------------------------------------------------------------------------ delivery


class DeliveryState(StrEnum):
    """An outbox row's life (see storage/delivery.py)."""

    PENDING = "pending"
    #: Claimed by a sender under a lease.
    SENDING = "sending"
    SENT = "sent"
    #: Never retried; the row's error says why.
    FAILED = "failed"


class DeliveryKind(StrEnum):
    """The messages of the outbox: the two a chat gets of a report, and the two of a digest (its chart,
    then its text; a digest row belongs to a DigestPost, not to a report's Post)."""

    SUMMARY = "summary"
    ALERT = "alert"
    WEEKLY = "weekly"
    WEEKLY_CHART = "wk_chart"
    MONTHLY = "monthly"
    MONTHLY_CHART = "mo_chart"


class DeliveryOp(StrEnum):
    """What the sender does with a row: send the message, or edit the sent one after a correction."""

    SEND = "send"
    EDIT = "edit"


class Receive(StrEnum):
    """Which of the messages a subscribed chat asked for (/settings)."""

    BOTH = "both"
    SUMMARY = "summary"
    ALERTS = "alerts"


#: The choices in the order /settings offers them.
RECEIVE_CHOICES: Final = tuple(Receive)


class Digests(StrEnum):
    """Which digests a subscribed chat asked for (/settings): weekly (Mondays), monthly (the 1st)."""

    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    BOTH = "both"

    def includes(self, period: str) -> bool:
        """Whether it includes the digest of PERIOD ("week" or "month")."""
        return self == Digests.BOTH or self == {"week": Digests.WEEKLY, "month": Digests.MONTHLY}.get(period)


DIGEST_CHOICES: Final = tuple(Digests)
DEFAULT_TIMEZONE = "Europe/Kyiv"
DEFAULT_TOP_PERSONNEL = 10
DEFAULT_TOP_OTHER = 5


class Subscription(SQLModel, table=True):
    """A chat that receives the daily summary and/or the rank alerts, with its delivery settings."""

    __tablename__ = "subscription"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_type: str = Field(sa_column=Column(String(16), nullable=False))
    title: str | None = Field(default=None, sa_column=Column(String(256), nullable=True))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    receive: Receive = Field(default=Receive.BOTH, sa_column=Column(StrEnumType(Receive, 8), nullable=False))
    #: "HH:MM" in `timezone`, or None: as soon as the report is published.
    send_at: str | None = Field(default=None, sa_column=Column(String(5), nullable=True))
    timezone: str = Field(default=DEFAULT_TIMEZONE, sa_column=Column(String(64), nullable=False))
    top_personnel: int = Field(default=DEFAULT_TOP_PERSONNEL)
    top_other: int = Field(default=DEFAULT_TOP_OTHER)
    #: The language of the chat's daily messages while it has set none with /lang: that of whoever
    #: subscribed. Kept apart from the chat's language, so a group's answers still follow each member's.
    lang: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    subscribed_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    #: Why the subscription ended (unsubscribed, blocked, migrated …), None while active.
    ended_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: The weekly and monthly digests the chat chose (none until it chooses them in /settings).
    digests: Digests = Field(
        default=Digests.NONE,
        sa_column=Column(StrEnumType(Digests, 8), nullable=False, server_default=Digests.NONE.value),
    )

    def wants(self, kind: DeliveryKind) -> bool:
        if self.receive == Receive.BOTH:
            return True
        return (self.receive == Receive.SUMMARY) == (kind == DeliveryKind.SUMMARY)


class Post(SQLModel, table=True):
    """A report being broadcast: created once per report date, when the bot first sees it as new."""

    __tablename__ = "delivery_post"

    id: int | None = Field(default=None, primary_key=True)
    report_date: date = Field(sa_column=Column("report_date", Date, unique=True, nullable=False))
    #: When the report's figures were known (the report's stored_at): fixed-time chats get it from then.
    available_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    #: The report revision the sent texts were rendered from.
    revision: int = Field(default=1)


class DigestPost(SQLModel, table=True):
    """A digest being broadcast: one per period (the week Monday–Sunday, or the calendar month), created
    the first time it is due to a chat. Its outbox rows point here instead of at a report's Post."""

    __tablename__ = "digest_post"
    __table_args__ = (UniqueConstraint("period", "first_day", name="uq_digest_post_period_first"),)

    id: int | None = Field(default=None, primary_key=True)
    #: "week" or "month".
    period: str = Field(sa_column=Column(String(8), nullable=False))
    first_day: date = Field(sa_column=Column(Date, nullable=False))
    last_day: date = Field(sa_column=Column(Date, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class DeliveryPhoto(SQLModel, table=True):
    """A picture the outbox sends (a digest's chart), drawn once per period and language: the PNG, and
    Telegram's file id once it was uploaded, so the other chats get the file id, not another upload."""

    __tablename__ = "delivery_photo"

    key: str = Field(sa_column=Column(String(64), primary_key=True, autoincrement=False))
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    file_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class Delivery(SQLModel, table=True):
    """The outbox: one message of one post (a report's, or a digest's) to one chat."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("post_id", "chat_id", "kind", name="uq_delivery_post_chat_kind"),
        UniqueConstraint("digest_id", "chat_id", "kind", name="uq_delivery_digest_chat_kind"),
        Index("ix_delivery_state", "state", "not_before", "id"),
        Index("ix_delivery_chat", "chat_id", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The report's post; None for a digest's message, which has DIGEST_ID instead.
    post_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("delivery_post.id"), nullable=True)
    )
    digest_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("digest_post.id", name="fk_delivery_digest_id"), nullable=True),
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: DeliveryKind = Field(sa_column=Column(StrEnumType(DeliveryKind, 8), nullable=False))
    op: DeliveryOp = Field(
        default=DeliveryOp.SEND, sa_column=Column(StrEnumType(DeliveryOp, 4), nullable=False)
    )
    state: DeliveryState = Field(
        default=DeliveryState.PENDING, sa_column=Column(StrEnumType(DeliveryState, 8), nullable=False)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    #: The buttons under the message, as [[[label, callback data], …], …] (kept by corrections).
    markup: list[list[list[str]]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: A DeliveryPhoto's key: the message is that photo with TEXT as its caption.
    photo: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    #: Raised by each correction; a send of an older version is followed by an edit.
    version: int = Field(default=1)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    attempts: int = Field(default=0)
    not_before: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    owner: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    corrected_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class SenderLease(SQLModel, table=True):
    """Which process sends the outbox of a bot token on this database: one at a time (Telegram's 30
    messages/s are the token's, not the process's). Its holder renews `expires_at` while it runs; a holder
    that died loses it when it expires. Keyed by the bot's id, the token's public part before ':'."""

    __tablename__ = "sender_lease"

    bot_id: str = Field(sa_column=Column(String(32), primary_key=True, autoincrement=False))
    owner: str = Field(sa_column=Column(String(40), nullable=False))
    #: When the holder last renewed the lease (a running sender renews it several times per lease).
    heartbeat_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
