"""Delivery: subscriptions, per-chat delivery settings, posts and the outbox. Tables and queries.

The outbox is the source of truth of what was sent: one `delivery` row per (post, chat, kind), unique, so a
double-fired job, a second instance or a restart can never create a second message for the same report.
A digest's rows belong to its `digest_post` (one per period: the week, the month) instead of a report's
post, unique per (digest, chat, kind) the same way. A row may carry buttons (`markup`, kept by corrections)
or be a photo (`photo`: a `delivery_photo` key, drawn once and uploaded once, then sent by file id).

Row life (column `state`):

    pending ──claim──▶ sending ──▶ sent          (message_id kept)
       ▲                  │  └────▶ failed        (error says why; never retried)
       └──retry/release───┘

A `sending` row carries a lease (`lease_until`): if the process dies with the row in flight, another
claim takes it once the lease has expired. So after a crash only rows in flight can be sent twice.
A correction turns `sent` rows back into `pending` with `op = "edit"`: the sender edits the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    Integer,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from bot.domain.dates import utc_now
from storage.schema import (
    ChatPrefs,
    Delivery,
    DeliveryKind,
    DeliveryOp,
    DeliveryPhoto,
    DeliveryState,
    DigestPost,
    Digests,
    Post,
    SenderLease,
    Subscription,
    UTCDateTime,
)

SUB = Subscription.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
POST = Post.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
OUT = Delivery.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
LEASE = SenderLease.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
DIGEST = DigestPost.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime
PHOTO = DeliveryPhoto.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ only at runtime

#: Buttons as the outbox stores them: rows of [label, callback data].
Markup = list[list[list[str]]]

#: The states of a message still owed to its chat: waiting, or in flight.
OWED: Final = (DeliveryState.PENDING, DeliveryState.SENDING)


# ---------------------------------------------------------------------------------------- subscriptions


def get_subscription(session: Session, chat_id: int) -> Subscription | None:
    return session.get(Subscription, chat_id)


def subscribe(
    session: Session,
    chat_id: int,
    *,
    chat_type: str,
    title: str | None = None,
    now: datetime | None = None,
    lang: str | None = None,
) -> bool:
    """Subscribe CHAT_ID (keeping earlier settings); False when it already was. LANG: the subscriber's
    language, that of the daily messages while the chat has set none (Subscription.lang)."""
    now = now or utc_now()
    sub = session.get(Subscription, chat_id)
    if sub is None:
        session.add(
            Subscription(chat_id=chat_id, chat_type=chat_type, title=title, subscribed_at=now, lang=lang)
        )
        return True
    was_active = sub.active
    sub.active, sub.ended_reason, sub.updated_at = True, None, now
    sub.chat_type, sub.title, sub.lang = chat_type, title or sub.title, lang or sub.lang
    if not was_active:
        sub.subscribed_at = now
    session.add(sub)
    return not was_active


def unsubscribe(session: Session, chat_id: int, reason: str, *, now: datetime | None = None) -> bool:
    """End CHAT_ID's subscription for REASON and drop what is still owed to it; False when not subscribed."""
    now = now or utc_now()
    sub = session.get(Subscription, chat_id)
    if sub is None or not sub.active:
        return False
    sub.active, sub.ended_reason, sub.updated_at = False, reason, now
    session.add(sub)
    session.execute(
        update(OUT)
        .where(OUT.c.chat_id == chat_id, OUT.c.state.in_(OWED), OUT.c.op == DeliveryOp.SEND)
        .values(state=DeliveryState.FAILED, error=f"not sent: {reason}", owner=None, lease_until=None)
    )
    return True


def update_settings(session: Session, chat_id: int, **fields: Any) -> Subscription | None:
    sub = session.get(Subscription, chat_id)
    if sub is None:
        return None
    for name, value in fields.items():
        setattr(sub, name, value)
    sub.updated_at = utc_now()
    session.add(sub)
    return sub


def active_subscriptions(session: Session) -> list[Subscription]:
    query = select(Subscription).where(SUB.c.active.is_(True)).order_by(SUB.c.chat_id)
    return list(session.execute(query).scalars())


def digest_subscriptions(session: Session) -> list[Subscription]:
    """The active subscriptions that chose a digest (the few the digest job looks at every tick)."""
    query = (
        select(Subscription)
        .where(SUB.c.active.is_(True), SUB.c.digests != Digests.NONE)
        .order_by(SUB.c.chat_id)
    )
    return list(session.execute(query).scalars())


@dataclass(frozen=True)
class SubscriberRow:
    sub: Subscription
    last_sent_at: datetime | None
    sent: int
    failed: int
    owed: int


def subscribers(session: Session) -> list[SubscriberRow]:
    """Every chat ever subscribed, with its last delivery and its counts of sent/failed/owed messages."""
    counts = (
        select(
            OUT.c.chat_id,
            func.max(OUT.c.sent_at).label("last"),
            func.sum(func.cast(OUT.c.state == DeliveryState.SENT, Integer)).label("sent"),
            func.sum(func.cast(OUT.c.state == DeliveryState.FAILED, Integer)).label("failed"),
            func.sum(func.cast(OUT.c.state.in_(OWED), Integer)).label("owed"),
        )
        .group_by(OUT.c.chat_id)
        .subquery()
    )
    rows = session.execute(
        select(Subscription, counts.c.last, counts.c.sent, counts.c.failed, counts.c.owed)
        .outerjoin(counts, counts.c.chat_id == SUB.c.chat_id)
        .order_by(SUB.c.active.desc(), SUB.c.chat_id)
    ).all()
    return [
        SubscriberRow(sub, _utc(session, last), int(sent or 0), int(failed or 0), int(owed_ or 0))
        for sub, last, sent, failed, owed_ in rows
    ]


def migrate_chat(session: Session, old_id: int, new_id: int, *, now: datetime | None = None) -> None:
    """A group became a supergroup: move the subscription, the language and what is still owed."""
    now = now or utc_now()
    old = session.get(Subscription, old_id)
    if old is not None:
        new = session.get(Subscription, new_id)
        if new is None:
            new = Subscription(
                chat_id=new_id,
                chat_type="supergroup",
                title=old.title,
                receive=old.receive,
                send_at=old.send_at,
                timezone=old.timezone,
                top_personnel=old.top_personnel,
                top_other=old.top_other,
                lang=old.lang,
                digests=old.digests,
                subscribed_at=old.subscribed_at,
            )
        new.active, new.ended_reason, new.updated_at = old.active or new.active, None, now
        session.add(new)
        old.active, old.ended_reason, old.updated_at = False, f"migrated to supergroup {new_id}", now
        session.add(old)
    prefs = session.get(ChatPrefs, old_id)
    if prefs is not None and prefs.lang and session.get(ChatPrefs, new_id) is None:
        session.add(ChatPrefs(chat_id=new_id, lang=prefs.lang))
    owed = session.execute(
        select(OUT.c.id, OUT.c.post_id, OUT.c.digest_id, OUT.c.kind, OUT.c.text, OUT.c.markup, OUT.c.photo)
        .where(OUT.c.chat_id == old_id, OUT.c.state.in_(OWED), OUT.c.op == DeliveryOp.SEND)
        .order_by(OUT.c.id)
    ).all()
    moved = [
        _row(r.post_id, new_id, r.kind, Content(r.text, r.markup, r.photo), now, digest_id=r.digest_id)
        for r in owed
    ]
    _insert_rows(session, moved)
    session.execute(
        update(OUT)
        .where(OUT.c.id.in_([r.id for r in owed]))
        .values(
            state=DeliveryState.FAILED, error=f"group migrated to supergroup {new_id}; sent there", owner=None
        )
    )


# ------------------------------------------------------------------------------------------------ posts


def _post_from_row(row: Any) -> Post:
    return Post(
        id=row.id,
        report_date=row.report_date,
        available_at=row.available_at,
        created_at=row.created_at,
        revision=row.revision,
    )


def post_for(session: Session, report_date: date) -> Post | None:
    row = session.execute(select(POST).where(POST.c.report_date == report_date)).first()
    return _post_from_row(row) if row else None


def latest_post(session: Session) -> Post | None:
    row = session.execute(select(POST).order_by(POST.c.report_date.desc()).limit(1)).first()
    return _post_from_row(row) if row else None


def ensure_post(
    session: Session, report_date: date, *, available_at: datetime, revision: int, now: datetime | None = None
) -> Post:
    """The post of REPORT_DATE, created when missing (a unique report date: created once)."""
    found = post_for(session, report_date)
    if found is not None:
        return found
    _insert_ignore(
        session,
        POST,
        [
            {
                "report_date": report_date,
                "available_at": available_at,
                "created_at": now or utc_now(),
                "revision": revision,
            }
        ],
    )
    created = post_for(session, report_date)
    assert created is not None
    return created


def set_post_revision(session: Session, post_id: int, revision: int) -> None:
    session.execute(update(POST).where(POST.c.id == post_id).values(revision=revision))


# ----------------------------------------------------------------------------------------------- outbox


def _insert_ignore(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # Counted from RETURNING, not rowcount: psycopg reports -1 for this multi-row INSERT on PostgreSQL.
    statement = insert(table).values(rows).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return len(session.execute(statement).all())


@dataclass(frozen=True)
class Content:
    """What one outbox row sends: the text (a photo's caption when PHOTO is set), and its buttons."""

    text: str
    markup: Markup | None = None
    #: A DeliveryPhoto's key.
    photo: str | None = None


def _row(
    post_id: int | None,
    chat_id: int,
    kind: DeliveryKind,
    content: str | Content,
    now: datetime,
    *,
    digest_id: int | None = None,
) -> dict[str, Any]:
    content = content if isinstance(content, Content) else Content(content)
    return {
        "post_id": post_id,
        "digest_id": digest_id,
        "chat_id": chat_id,
        "kind": kind,
        "op": DeliveryOp.SEND,
        "state": DeliveryState.PENDING,
        "text": content.text,
        "markup": content.markup,
        "photo": content.photo,
        "version": 1,
        "attempts": 0,
        "not_before": now,
        "created_at": now,
    }


def _insert_rows(session: Session, values: list[dict[str, Any]]) -> int:
    added = 0
    for start in range(0, len(values), 500):
        added += _insert_ignore(session, OUT, values[start : start + 500])
    return added


def add_deliveries(
    session: Session,
    rows: Iterable[tuple[int, int, DeliveryKind, str | Content]],
    *,
    now: datetime | None = None,
) -> int:
    """Queue (post_id, chat_id, kind, text or content) messages; those already queued (or sent) are left
    alone. Returns how many were added."""
    now = now or utc_now()
    return _insert_rows(
        session, [_row(post_id, chat, kind, content, now) for post_id, chat, kind, content in rows]
    )


def add_digest_deliveries(
    session: Session,
    digest_id: int,
    rows: Iterable[tuple[int, DeliveryKind, Content]],
    *,
    now: datetime | None = None,
) -> int:
    """Queue (chat_id, kind, content) messages of the digest DIGEST_ID; the unique (digest, chat, kind)
    row makes it once per chat and period whatever runs it twice. Returns how many were added."""
    now = now or utc_now()
    values = [_row(None, chat, kind, content, now, digest_id=digest_id) for chat, kind, content in rows]
    return _insert_rows(session, values)


# ---------------------------------------------------------------------------------------------- digests


def digest_post(session: Session, period: str, first_day: date) -> DigestPost | None:
    return session.execute(
        select(DigestPost).where(DIGEST.c.period == period, DIGEST.c.first_day == first_day)
    ).scalar_one_or_none()


def ensure_digest_post(
    session: Session, period: str, first_day: date, last_day: date, *, now: datetime | None = None
) -> DigestPost:
    """The post of the digest of PERIOD ("week", "month") starting FIRST_DAY, created when missing (its
    unique (period, first day) decides a race between two instances)."""
    values = {"period": period, "first_day": first_day, "last_day": last_day, "created_at": now or utc_now()}
    _insert_ignore(session, DIGEST, [values])
    found = digest_post(session, period, first_day)
    assert found is not None
    return found


def digest_queued_keys(session: Session, digest_id: int) -> set[tuple[int, DeliveryKind]]:
    """(chat_id, kind) of every message of the digest DIGEST_ID already in the outbox."""
    rows = session.execute(select(OUT.c.chat_id, OUT.c.kind).where(OUT.c.digest_id == digest_id))
    return {(r.chat_id, r.kind) for r in rows}


def has_photo(session: Session, key: str) -> bool:
    return session.execute(select(PHOTO.c.key).where(PHOTO.c.key == key)).first() is not None


def save_photo(session: Session, key: str, png: bytes, *, now: datetime | None = None) -> None:
    """Keep the PNG KEY names (the first one stored stays: the same key draws the same picture)."""
    _insert_ignore(
        session, PHOTO, [{"key": key, "png": png, "file_id": None, "created_at": now or utc_now()}]
    )


def photo(session: Session, key: str) -> tuple[bytes, str | None] | None:
    """The PNG KEY names and Telegram's file id of it once uploaded."""
    row = session.execute(select(PHOTO.c.png, PHOTO.c.file_id).where(PHOTO.c.key == key)).first()
    return (bytes(row.png), row.file_id) if row is not None else None


def photo_uploaded(session: Session, key: str, file_id: str) -> None:
    session.execute(update(PHOTO).where(PHOTO.c.key == key).values(file_id=file_id))


def queued_keys(session: Session, post_id: int) -> set[tuple[int, DeliveryKind]]:
    """(chat_id, kind) of every message of POST_ID already in the outbox, whatever its state."""
    rows = session.execute(select(OUT.c.chat_id, OUT.c.kind).where(OUT.c.post_id == post_id))
    return {(r.chat_id, r.kind) for r in rows}


@dataclass(frozen=True)
class Job:
    """A claimed outbox row, as the sender needs it."""

    id: int
    chat_id: int
    kind: DeliveryKind
    op: DeliveryOp
    text: str
    version: int
    message_id: int | None
    attempts: int
    chat_type: str | None
    markup: Markup | None = None
    photo: str | None = None


def claim(session: Session, *, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Job]:
    """Take up to LIMIT rows that are due (pending, or in flight with an expired lease), oldest first."""
    due = or_(
        and_(OUT.c.state == DeliveryState.PENDING, OUT.c.not_before <= now),
        and_(OUT.c.state == DeliveryState.SENDING, OUT.c.lease_until < now),
    )
    # A chat's messages go out in order: a row waits while an earlier one of its chat is still owed
    # (a summary being retried holds back that chat's alert).
    earlier = OUT.alias("earlier")
    first_owed = ~(
        select(earlier.c.id)
        .where(
            earlier.c.chat_id == OUT.c.chat_id,
            earlier.c.id < OUT.c.id,
            earlier.c.state.in_(OWED),
        )
        .exists()
    )
    # On PostgreSQL, rows another sender is claiming right now are skipped rather than waited for (the
    # update below checks `due` again either way, so a row is never claimed twice); SQLite has no row
    # locks and renders no FOR UPDATE: its one writer at a time already serialises the claims.
    query = (
        select(OUT.c.id)
        .where(due, first_owed)
        .order_by(OUT.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OUT)
    )
    ids = list(session.execute(query).scalars())
    if not ids:
        return []
    session.execute(
        update(OUT)
        .where(OUT.c.id.in_(ids), due)
        .values(
            state=DeliveryState.SENDING, owner=owner, lease_until=now + lease, attempts=OUT.c.attempts + 1
        )
    )
    rows = session.execute(
        select(OUT, SUB.c.chat_type)
        .outerjoin(SUB, SUB.c.chat_id == OUT.c.chat_id)
        .where(OUT.c.id.in_(ids), OUT.c.owner == owner, OUT.c.state == DeliveryState.SENDING)
        .order_by(OUT.c.id)
    ).all()
    return [
        Job(
            r.id,
            r.chat_id,
            r.kind,
            r.op,
            r.text,
            r.version,
            r.message_id,
            r.attempts,
            r.chat_type,
            r.markup,
            r.photo,
        )
        for r in rows
    ]


def mark_sent(session: Session, job: Job, *, message_id: int | None, now: datetime) -> None:
    """JOB went out. If a correction arrived while it was in flight, an edit follows."""
    current = session.execute(select(OUT.c.version, OUT.c.state).where(OUT.c.id == job.id)).first()
    if current is None:
        return
    edit_needed = current.version != job.version
    values: dict[str, Any] = {
        "state": DeliveryState.PENDING if edit_needed else DeliveryState.SENT,
        "op": DeliveryOp.EDIT if edit_needed else DeliveryOp.SEND,
        "owner": None,
        "lease_until": None,
        "error": None,
        "attempts": 0 if edit_needed else job.attempts,
    }
    if message_id is not None:
        values["message_id"] = message_id
    if job.op == DeliveryOp.SEND:
        values["sent_at"] = now
    else:
        values["corrected_at"] = now
    session.execute(update(OUT).where(OUT.c.id == job.id).values(**values))


def mark_retry(session: Session, job: Job, *, not_before: datetime, error: str) -> None:
    session.execute(
        update(OUT)
        .where(OUT.c.id == job.id, OUT.c.state == DeliveryState.SENDING)
        .values(state=DeliveryState.PENDING, not_before=not_before, error=error, owner=None, lease_until=None)
    )


def mark_failed(session: Session, job: Job, *, error: str) -> None:
    # A failed edit leaves the message as it was sent: still "sent", with the reason noted.
    state = DeliveryState.FAILED if job.op == DeliveryOp.SEND else DeliveryState.SENT
    session.execute(
        update(OUT)
        .where(OUT.c.id == job.id)
        .values(state=state, op=DeliveryOp.SEND, error=error, owner=None, lease_until=None)
    )


def release(session: Session, ids: Sequence[int], *, owner: str) -> None:
    """Give claimed rows back (a graceful stop): they are sent by the next run."""
    if ids:
        session.execute(
            update(OUT)
            .where(OUT.c.id.in_(list(ids)), OUT.c.owner == owner, OUT.c.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING, owner=None, lease_until=None, attempts=OUT.c.attempts - 1)
        )


def correct(session: Session, post_id: int, texts: dict[tuple[int, DeliveryKind], str]) -> int:
    """New texts for a corrected report: unsent rows get the new text, sent ones are edited. Returns how
    many rows changed."""
    changed = 0
    rows = session.execute(
        select(OUT.c.id, OUT.c.chat_id, OUT.c.kind, OUT.c.state, OUT.c.op, OUT.c.message_id).where(
            OUT.c.post_id == post_id, OUT.c.state != DeliveryState.FAILED
        )
    ).all()
    for row in rows:
        text = texts.get((row.chat_id, row.kind))
        if text is None:
            continue
        values: dict[str, Any] = {"text": text, "version": OUT.c.version + 1}
        if row.state == DeliveryState.SENT and row.message_id is not None:
            values.update(state=DeliveryState.PENDING, op=DeliveryOp.EDIT, attempts=0, not_before=utc_now())
        session.execute(update(OUT).where(OUT.c.id == row.id).values(**values))
        changed += 1
    return changed


def owed(session: Session, post_id: int | None = None) -> int:
    """How many messages are still to be sent or edited (of POST_ID, or of every post)."""
    query = select(func.count()).where(OUT.c.state.in_(OWED))
    if post_id is not None:
        query = query.where(OUT.c.post_id == post_id)
    return int(session.execute(query).scalar_one())


def next_due(session: Session) -> datetime | None:
    """When the earliest waiting row becomes due (a pending row's not_before, or an expired lease)."""
    pending = session.execute(
        select(func.min(OUT.c.not_before)).where(OUT.c.state == DeliveryState.PENDING)
    ).scalar()
    leased = session.execute(
        select(func.min(OUT.c.lease_until)).where(OUT.c.state == DeliveryState.SENDING)
    ).scalar()
    times = [v for v in (_utc(session, pending), _utc(session, leased)) if v is not None]
    return min(times) if times else None


def _utc(session: Session, value: Any) -> datetime | None:
    """An aggregate (min/max) of a UTC column: SQLite returns it as naive text."""
    if value is None:
        return None
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return UTCDateTime().process_result_value(found, session.get_bind().dialect)


def deliveries(session: Session, *, post_id: int | None = None, chat_id: int | None = None) -> list[Delivery]:
    """Outbox rows (for tests and the command line)."""
    query = select(Delivery).order_by(OUT.c.id)
    if post_id is not None:
        query = query.where(OUT.c.post_id == post_id)
    if chat_id is not None:
        query = query.where(OUT.c.chat_id == chat_id)
    return list(session.execute(query).scalars())


# --------------------------------------------------------------------------------- one sender per token


def take_sender_lease(session: Session, bot_id: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the sending lease of BOT_ID for OWNER until NOW + TTL; False while another holder's
    lease runs. One conditional UPDATE (or the INSERT of the first holder, the primary key deciding a
    race), so two processes can never both hold it."""
    values = {"owner": owner, "heartbeat_at": now, "expires_at": now + ttl}
    renewed = session.execute(
        update(LEASE)
        .where(LEASE.c.bot_id == bot_id, or_(LEASE.c.owner == owner, LEASE.c.expires_at <= now))
        .values(**values)
        .returning(LEASE.c.bot_id)
    ).first()
    if renewed is not None:
        return True
    return _insert_ignore(session, LEASE, [{"bot_id": bot_id, **values}]) == 1


def sender_lease(session: Session, bot_id: str) -> SenderLease | None:
    """The lease of BOT_ID as stored (it may have expired)."""
    return session.get(SenderLease, bot_id, populate_existing=True)


def drop_sender_lease(session: Session, bot_id: str, *, owner: str) -> None:
    """A graceful stop: the next sender need not wait for the lease to expire."""
    session.execute(LEASE.delete().where(LEASE.c.bot_id == bot_id, LEASE.c.owner == owner))
