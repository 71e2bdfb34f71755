"""The state columns: StrEnum members in code, their plain values in the database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import StatementError

from bot.domain.dates import utc_now
from storage import delivery as store
from storage.db import reading, transaction
from storage.schema import DeliveryKind, DeliveryOp, DeliveryState, Receive


def queue_one(engine: Engine) -> None:
    with transaction(engine) as session:
        store.subscribe(session, 7, chat_type="private")
        post = store.ensure_post(session, date(2024, 10, 25), available_at=utc_now(), revision=1)
        assert post.id is not None
        store.add_deliveries(session, [(post.id, 7, DeliveryKind.SUMMARY, "text")])


def test_states_are_stored_as_their_values_and_read_back_as_members(engine: Engine) -> None:
    queue_one(engine)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT kind, op, state FROM delivery")).one()
        receive = conn.execute(text("SELECT receive FROM subscription")).scalar()
    assert (tuple(raw), receive) == (("summary", "send", "pending"), "both")
    with reading(engine) as session:
        [row] = store.deliveries(session)
        sub = store.get_subscription(session, 7)
    assert sub is not None
    assert (row.kind, row.op, row.state, sub.receive) == (
        DeliveryKind.SUMMARY,
        DeliveryOp.SEND,
        DeliveryState.PENDING,
        Receive.BOTH,
    )
    assert type(row.state) is DeliveryState  # a member, not just an equal string


def test_a_state_that_does_not_exist_is_refused(engine: Engine) -> None:
    queue_one(engine)
    with (
        pytest.raises(StatementError, match="'delivered' is not a valid DeliveryState"),
        reading(engine) as s,
    ):
        s.execute(update(store.OUT).values(state="delivered"))
