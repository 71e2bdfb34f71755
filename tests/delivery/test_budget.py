"""The send budget on its own, with a clock the test moves: per-chat slots, the window of the token's
30/s counted by completions, replies before the broadcast, a 429's pause."""

from __future__ import annotations

import asyncio

from bot.delivery.budget import Limits, Priority, SendBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_private_chat_gets_one_a_second_and_a_group_one_every_3_1_s() -> None:
    clock = Clock()
    budget = SendBudget(clock=clock)
    assert [budget.reserve_chat(5) - 100 for _i in range(3)] == [0.0, 1.0, 2.0]
    assert [round(budget.reserve_chat(-5) - 100, 6) for _i in range(3)] == [0.0, 3.1, 6.2]
    assert budget.reserve_chat(6) == 100  # other chats do not wait
    clock.now = 200.0
    assert budget.reserve_chat(5) == 200  # long after: at once again


def test_a_burst_when_limits_allow_one() -> None:
    budget = SendBudget(Limits(private_burst=3), clock=Clock())
    assert [budget.reserve_chat(5) - 100 for _i in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]


async def test_a_chat_waits_for_its_previous_message_to_end() -> None:
    clock = Clock()
    budget = SendBudget(clock=clock)
    await budget.acquire(Priority.REPLY, 5)
    assert budget.chat_wait(5) is None  # in flight
    clock.now = 100.5
    budget.release(5)
    assert budget.chat_wait(5) == 1.0  # a second after it ended
    assert budget.chat_wait(6) == 0.0


async def test_the_window_counts_what_is_in_flight_and_what_ended_within_a_second() -> None:
    clock = Clock()
    budget = SendBudget(Limits(per_second=2), clock=clock)
    await budget.acquire(Priority.BULK)
    clock.now += 1.0  # past the spacing of 1/2 s
    await budget.acquire(Priority.BULK)
    clock.now += 1.0
    third = asyncio.ensure_future(budget.acquire(Priority.BULK))
    await asyncio.sleep(0)
    assert not third.done()  # two in flight, however long ago they started
    budget.release()
    clock.now += 1.0  # the ended one is a second old: it no longer counts
    budget.release()  # (a release looks again)
    await asyncio.wait_for(third, 5)


async def test_a_waiting_reply_goes_before_a_waiting_broadcast() -> None:
    clock = Clock()
    budget = SendBudget(Limits(per_second=1), clock=clock)
    await budget.acquire(Priority.BULK)
    broadcast = asyncio.ensure_future(budget.acquire(Priority.BULK))
    await asyncio.sleep(0)
    reply = asyncio.ensure_future(budget.acquire(Priority.REPLY))
    await asyncio.sleep(0)
    budget.release()
    clock.now += 2.0  # the budget's timer (a real second at most) finds the slot open
    await asyncio.wait({reply, broadcast}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    assert reply.done() and not broadcast.done()
    broadcast.cancel()


async def test_a_429_pauses_every_send_and_the_chat() -> None:
    clock = Clock()
    budget = SendBudget(clock=clock)
    budget.pause(5.0, chat_id=7)
    assert budget.paused_for() == 5.0
    assert budget.reserve_chat(7) == 105.0
    waiting = asyncio.ensure_future(budget.acquire(Priority.REPLY))
    await asyncio.sleep(0)
    assert not waiting.done()
    clock.now = 106.0
    budget.pause(0.0)  # looks again (as any release does)
    await asyncio.wait_for(waiting, 5)
    assert budget.rate_limited == 2


async def test_a_free_slot_is_taken_at_once_and_the_next_is_spaced() -> None:
    clock = Clock()
    budget = SendBudget(clock=clock)
    assert budget.try_acquire(5)
    assert not budget.try_acquire(6)  # 1/30 s apart at least
    clock.now += 1 / 30
    assert budget.try_acquire(6)
    assert budget.chat_wait(5) is None and budget.chat_wait(6) is None
