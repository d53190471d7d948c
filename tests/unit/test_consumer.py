"""The guard every consumer runs its records through: retry what passes, park what cannot be applied."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import pytest

from shared.consumer import Consumers, Record, RetryPolicy
from shared.parking import InMemoryParking

FAST = RetryPolicy(attempts=3, first_backoff_s=0.001, max_backoff_s=0.001)


def record(offset: int, value: bytes = b"ok") -> Record:
    return Record("baosong.reports", 0, offset, value)


class Handler:
    """Applies records, refusing those whose bytes say so; ``flaky`` transient failures before each success."""

    def __init__(self, flaky: int = 0):
        self.applied: list[int] = []
        self.flaky = flaky
        self.calls = 0

    async def __call__(self, r: Record) -> None:
        self.calls += 1
        if self.flaky:
            self.flaky -= 1
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        if r.value == b"poison":
            raise ValueError("year 1 is out of range")
        if r.value == b"nul":
            raise asyncpg.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')
        self.applied.append(r.offset)

    async def batch(self, records: Sequence[Record]) -> None:
        """All or nothing, like a transaction."""
        before = list(self.applied)
        try:
            for r in records:
                await self(r)
        except Exception:
            self.applied = before
            raise


async def test_a_record_that_cannot_be_applied_is_parked_and_the_ones_behind_it_go_on() -> None:
    parking, handler = InMemoryParking(), Handler()
    guard = Consumers("approval", parking, FAST).guard("approval-reports", handler)
    for r in (record(1), record(2, b"nul"), record(3), record(4, b"poison"), record(5)):
        await guard.handle(r)
    assert handler.applied == [1, 3, 5]
    parked = await parking.list()
    assert [(p.record.offset, p.error_type) for p in parked] == [(2, "CharacterNotInRepertoireError"),
                                                                 (4, "ValueError")]
    assert parked[0].record.value == b"nul" and "0x00" in parked[0].reason
    assert guard.state.parked == 2 and guard.state.failing_since is None


async def test_a_passing_failure_is_retried_not_parked() -> None:
    parking, handler = InMemoryParking(), Handler(flaky=2)
    guard = Consumers("escalation", parking, FAST).guard("c", handler)
    await guard.handle(record(7))
    assert handler.applied == [7] and handler.calls == 3
    assert await parking.list() == []


async def test_a_passing_failure_that_outlasts_the_retries_is_parked() -> None:
    parking, handler = InMemoryParking(), Handler(flaky=10)
    guard = Consumers("escalation", parking, FAST).guard("c", handler)
    await guard.handle(record(7))
    assert handler.calls == FAST.attempts + 1  # the tries, and one last one just before parking
    [parked] = await parking.list()
    assert parked.error_type == "CannotConnectNowError" and parked.attempts == FAST.attempts


async def test_a_record_is_not_parked_when_what_failed_came_back_by_then() -> None:
    parking, handler = InMemoryParking(), Handler(flaky=FAST.attempts)
    guard = Consumers("escalation", parking, FAST).guard("c", handler)
    await guard.handle(record(7))
    assert handler.applied == [7] and await parking.list() == []


async def test_while_nothing_can_be_made_durable_the_record_is_not_acknowledged() -> None:
    parking, handler = InMemoryParking(), Handler(flaky=100)
    parking.fail_with = OSError("connection refused")
    consumers = Consumers("approval", parking, FAST, stuck_after_s=0)
    guard = consumers.guard("approval-reports", handler)
    with pytest.raises(OSError):  # raised to FastStream: the record is delivered again, its offset kept
        await guard.handle(record(9))
    [state] = await consumers.health()
    assert state["state"] == "stuck" and "connection refused" in state["reason"]
    handler.flaky = 0
    parking.fail_with = None
    await guard.handle(record(9))
    assert handler.applied == [9]
    [state] = await consumers.health()
    assert state["state"] == "ok"


async def test_a_failed_batch_is_applied_record_by_record_so_only_the_bad_one_is_parked() -> None:
    parking, handler = InMemoryParking(), Handler()
    guard = Consumers("escalation", parking, FAST).guard("c", lambda r: handler.batch([r]))
    await guard.handle_batch([record(1), record(2, b"poison"), record(3)], handler.batch)
    assert handler.applied == [1, 3]
    assert [p.record.offset for p in await parking.list()] == [2]


async def test_a_redelivered_record_is_parked_once() -> None:
    parking, handler = InMemoryParking(), Handler()
    guard = Consumers("approval", parking, FAST).guard("c", handler)
    await guard.handle(record(4, b"poison"))
    await guard.handle(record(4, b"poison"))
    assert len(await parking.list()) == 1


async def test_retry_applies_a_parked_record_after_a_fix() -> None:
    parking, handler = InMemoryParking(), Handler()
    consumers = Consumers("approval", parking, FAST)
    guard = consumers.guard("c", handler)
    await guard.handle(record(4, b"poison"))
    [parked] = await parking.list()
    assert parked.id is not None
    assert (await consumers.retry(parked.id))["state"] == "parked"  # not fixed yet: still parked
    parking.rows[parked.id] = parked.__class__(**{**parked.__dict__, "record": record(4, b"fixed")})
    assert (await consumers.retry(parked.id))["state"] == "resolved"
    assert handler.applied == [4]
    assert await parking.list() == []
    with pytest.raises(LookupError):
        await consumers.retry(999)
