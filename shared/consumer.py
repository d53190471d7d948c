"""Every Kafka consumer's record loop: no record, however malformed, stops a consumer.

A record is applied by the service's handler. A transient failure (``shared.transient``) is retried
with exponential backoff, a bounded number of times; a record that still cannot be applied — or that
fails for any other reason (it is malformed, the database refuses a value, a handler bug) — is set
aside in the service's parking table with the reason, its topic/partition/offset, its bytes and the
time, logged once at ERROR, and the consumer moves on to the records behind it. Nothing is
acknowledged before it is durable: the offset moves on only after the handler's transaction
committed or the record was parked; while neither is possible (the database is down), the record is
delivered again and the consumer reports itself stuck (``/healthz`` answers 503).

``./baosong parked`` lists what is set aside; ``./baosong parked retry ID`` applies it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from shared.envelope import now_utc
from shared.logging import get_logger
from shared.transient import is_transient

log = get_logger(__name__)


@dataclass(frozen=True)
class Record:
    """One consumed record, as it was on the wire."""

    topic: str
    partition: int
    offset: int
    value: bytes
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
    timestamp_ms: int | None = None

    @classmethod
    def of(cls, raw: Any) -> Record:
        """From an aiokafka ``ConsumerRecord``."""
        return cls(topic=raw.topic, partition=raw.partition, offset=raw.offset, value=raw.value or b"",
                   key=raw.key, headers=tuple((k, v or b"") for k, v in raw.headers or ()),
                   timestamp_ms=raw.timestamp)


@dataclass(frozen=True)
class Parked:
    """A record set aside: where it came from, its bytes and why it could not be applied."""

    consumer: str
    record: Record
    reason: str
    error_type: str
    attempts: int
    parked_at: datetime
    id: int | None = None
    state: str = "parked"


class Parking(Protocol):
    """Where a service keeps the records it set aside (its own table, ``<schema>.parked``)."""

    async def park(self, parked: Parked) -> int:
        """Keep ``parked``; the same record parked twice (a redelivery) keeps its first row. Its id."""
        ...

    async def list(self, *, state: str | None = "parked", limit: int = 100) -> list[Parked]: ...

    async def get(self, parked_id: int) -> Parked | None: ...

    async def mark(self, parked_id: int, *, state: str, reason: str | None = None) -> None:
        """After a retry: ``resolved``, or still ``parked`` with the new reason."""
        ...


OffsetReset = Literal["earliest", "latest"]
Apply = Callable[[Record], Awaitable[None]]
ApplyBatch = Callable[[Sequence[Record]], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How long a transient failure is retried before the record is set aside."""

    attempts: int = 8
    first_backoff_s: float = 0.25
    max_backoff_s: float = 8.0

    def backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff_s, self.first_backoff_s * 2 ** (attempt - 1)))


@dataclass
class ConsumerState:
    """What ``/healthz`` says of one consumer."""

    name: str
    failing_since: float | None = None  # since when its current record (or batch) keeps failing
    busy_since: float | None = None  # since when it has been working on its current record (or batch)
    reason: str | None = None
    parked: int = 0
    applied: int = 0
    lag: int | None = None
    subscriber: Any = None  # FastStream's subscriber: its aiokafka consumer tells the lag
    measure_lag: Callable[[], Awaitable[int | None]] | None = None  # for a consumer that is not Kafka's
    next_offsets: dict[tuple[str, int], int] = field(default_factory=dict)

    def as_json(self, stuck_after_s: float, max_lag: int) -> dict[str, Any]:
        stuck = self.stuck(stuck_after_s)
        since = self.failing_since or self.busy_since
        reason = self.reason if self.failing_since is not None else ("still working on one record or batch"
                                                                     if stuck else None)
        return {"consumer": self.name, "state": "stuck" if stuck else ("lagging" if self.lagging(max_lag) else "ok"),
                "reason": reason, "held_for_s": round(time.monotonic() - since, 1) if stuck and since else None,
                "lag": self.lag, "applied": self.applied, "parked": self.parked}

    def failing(self, exc: BaseException) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
        self.reason = _describe(exc)

    def recovered(self) -> None:
        self.failing_since, self.reason = None, None

    def stuck(self, after_s: float) -> bool:
        """Failing, or busy (e.g. waiting on a lock), on the same record or batch for ``after_s`` or more."""
        since = self.failing_since or self.busy_since
        return since is not None and time.monotonic() - since >= after_s

    def lagging(self, max_lag: int) -> bool:
        return self.lag is not None and self.lag > max_lag


class Guard:
    """Applies one consumer's records: retries what passes, parks what cannot be applied, moves on."""

    def __init__(self, name: str, apply: Apply, parking: Parking, policy: RetryPolicy, state: ConsumerState):
        self.name, self._apply, self._parking, self._policy, self.state = name, apply, parking, policy, state
        self._last_warning = 0.0

    async def handle(self, record: Record) -> None:
        """Apply ``record`` or park it. Raises (so the record is delivered again) only while it can do
        neither: a transient failure that outlasts the retries and the parking table both."""
        self.state.busy_since = self.state.busy_since or time.monotonic()
        error = await self._attempts(lambda: self._apply(record))
        if error is not None and is_transient(error):
            error = await self._last_try(record)  # what failed may just have come back: never park for nothing
        if error is None:
            self._done(record)
            return
        await self._park(record, error)

    async def handle_batch(self, records: Sequence[Record], apply_batch: ApplyBatch) -> None:
        """Apply ``records`` together (one transaction); if that fails for a reason other than a
        passing one, apply them one by one so that only the record at fault is parked."""
        if not records:
            return
        self.state.busy_since = time.monotonic()
        error = await self._attempts(lambda: apply_batch(records))
        if error is None:
            for record in records:
                self._done(record)
            return
        log.warning("batch not applied; applying its records one by one", consumer=self.name,
                    records=len(records), error=_describe(error))
        for record in records:
            await self.handle(record)

    async def _attempts(self, run: Callable[[], Awaitable[None]]) -> BaseException | None:
        """Run until it succeeds (None), fails for good (the error), or transient failures use up the
        attempts (the last error)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                await run()
                return None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failing(exc)
                if not is_transient(exc) or attempt >= self._policy.attempts:
                    return exc
                self._warn(exc, attempt)
                await asyncio.sleep(self._policy.backoff(attempt))

    async def _last_try(self, record: Record) -> BaseException | None:
        try:
            await self._apply(record)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc
        return None

    async def _park(self, record: Record, error: BaseException) -> None:
        parked = Parked(consumer=self.name, record=record, reason=_describe(error), error_type=type(error).__name__,
                        attempts=self._policy.attempts if is_transient(error) else 1, parked_at=now_utc())
        try:
            parked_id = await self._parking.park(parked)
        except Exception as exc:
            self._failing(exc)
            self._warn(exc, 0, what="record could neither be applied nor set aside; it will be delivered again")
            await asyncio.sleep(self._policy.max_backoff_s)
            self.state.busy_since = None  # delivered again: busy anew, still failing
            raise
        self.state.parked += 1
        log.error("record set aside (parked)", consumer=self.name, parked_id=parked_id, topic=record.topic,
                  partition=record.partition, offset=record.offset, reason=parked.reason,
                  error_type=parked.error_type, size=len(record.value))
        self._done(record, applied=False)

    def _done(self, record: Record, *, applied: bool = True) -> None:
        self.state.recovered()
        self.state.busy_since = None
        self.state.applied += applied
        self.state.next_offsets[(record.topic, record.partition)] = record.offset + 1

    def _failing(self, exc: BaseException) -> None:
        self.state.failing(exc)

    def _warn(self, exc: BaseException, attempt: int, what: str = "transient failure; retrying") -> None:
        """At most one line per consumer every 30 s, whatever the retry loop does."""
        now = time.monotonic()
        if now - self._last_warning >= 30:
            self._last_warning = now
            log.warning(what, consumer=self.name, attempt=attempt, error=_describe(exc))


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


class Consumers:
    """A service's consumers: their guards, what ``/healthz`` says of them, and retrying parked records."""

    def __init__(self, service: str, parking: Parking, policy: RetryPolicy | None = None, *,
                 stuck_after_s: float = 10.0, max_lag: int = 10_000):
        self.service, self.parking, self.policy = service, parking, policy or RetryPolicy()
        self.stuck_after_s, self.max_lag = stuck_after_s, max_lag
        self._guards: dict[str, Guard] = {}
        self._others: dict[str, ConsumerState] = {}

    def guard(self, name: str, apply: Apply) -> Guard:
        if name in self._guards or name in self._others:
            raise ValueError(f"two consumers named {name!r}")
        guard = Guard(name, apply, self.parking, self.policy, ConsumerState(name))
        self._guards[name] = guard
        return guard

    def track(self, name: str, measure_lag: Callable[[], Awaitable[int | None]]) -> ConsumerState:
        """The state of a consumer that is not a Kafka subscriber (e.g. the archive's projector), which it
        keeps up to date itself; ``/healthz`` reports it like the others."""
        if name in self._guards or name in self._others:
            raise ValueError(f"two consumers named {name!r}")
        state = self._others[name] = ConsumerState(name, measure_lag=measure_lag)
        return state

    def subscribe(self, broker: KafkaBroker, name: str, *topics: str, group_id: str, apply: Apply,
                  auto_offset_reset: OffsetReset = "earliest", pattern: str | None = None) -> None:
        """One record at a time through ``apply``; the offset is committed once it is applied or parked.
        ``pattern``: every topic whose name matches it (instead of ``topics``)."""
        guard = self.guard(name, apply)
        subscriber = broker.subscriber(*topics, group_id=group_id, auto_offset_reset=auto_offset_reset,
                                       ack_policy=AckPolicy.NACK_ON_ERROR, title=name, pattern=pattern)

        async def handle(message: KafkaMessage) -> None:
            await guard.handle(Record.of(message.raw_message))

        subscriber(handle)
        guard.state.subscriber = subscriber

    def subscribe_batch(self, broker: KafkaBroker, name: str, *topics: str, group_id: str, apply: ApplyBatch,
                        max_records: int, auto_offset_reset: OffsetReset = "earliest") -> None:
        """Batches through ``apply`` in one transaction each; a batch that fails is applied record by record
        (``apply`` of one) so that only the record at fault is parked."""
        guard = self.guard(name, lambda record: apply([record]))
        subscriber = broker.subscriber(*topics, group_id=group_id, batch=True, max_records=max_records,
                                       auto_offset_reset=auto_offset_reset, ack_policy=AckPolicy.NACK_ON_ERROR,
                                       title=name)

        async def handle(bodies: list[Any], message: KafkaMessage) -> None:
            """``bodies`` is whatever FastStream decoded; the guard reads the records' own bytes."""
            raw = message.raw_message
            records = [Record.of(r) for r in (raw if isinstance(raw, tuple) else (raw,))]
            await guard.handle_batch(records, apply)

        subscriber(handle)
        guard.state.subscriber = subscriber

    async def applied_everything_before(self, name: str, topic: str) -> Callable[[], Awaitable[bool]] | None:
        """A check that answers True once the consumer group ``name`` belongs to has applied (committed) every
        record that was on ``topic`` now, on every partition, whichever instance holds it; None when the
        consumer cannot say (not started, between assignments)."""
        guard = self._guards.get(name)
        consumer = getattr(guard.state.subscriber, "consumer", None) if guard is not None else None
        if consumer is None:
            return None
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            ends: dict[TopicPartition, int] = await consumer.end_offsets(
                [TopicPartition(topic, p) for p in sorted(partitions)])
        except Exception as exc:
            log.debug("end offsets not known", consumer=name, error=str(exc))
            return None
        if not ends:
            return None

        async def applied() -> bool:
            for tp, end in ends.items():
                if end > 0 and (await consumer.committed(tp) or 0) < end:
                    return False
            return True

        return applied

    async def health(self) -> list[dict[str, Any]]:
        """Each consumer's state, its lag measured now (records on its partitions not yet applied)."""
        states = [g.state for g in self._guards.values()] + list(self._others.values())
        for state in states:
            state.lag = await _lag(state)
        return [state.as_json(self.stuck_after_s, self.max_lag) for state in states]

    async def unhealthy(self) -> list[dict[str, Any]]:
        return [c for c in await self.health() if c["state"] != "ok"]

    async def retry(self, parked_id: int) -> dict[str, Any]:
        """Apply a parked record again (after a fix): ``resolved``, or ``parked`` with the new reason."""
        parked = await self.parking.get(parked_id)
        if parked is None:
            raise LookupError(parked_id)
        guard = self._guards.get(parked.consumer)
        if guard is None:
            raise NotRetryable(f"“{parked.consumer}”搁置的记录不能单独重试：修复后请重建读模型"
                               f"（./baosong projections rebuild）。 / What {parked.consumer} set aside cannot be "
                               "retried on its own: after the fix, run ./baosong projections rebuild.")
        try:
            await guard._apply(parked.record)
        except Exception as exc:
            await self.parking.mark(parked_id, state="parked", reason=_describe(exc))
            return {"id": parked_id, "state": "parked", "reason": _describe(exc)}
        await self.parking.mark(parked_id, state="resolved")
        log.info("parked record applied on retry", consumer=parked.consumer, parked_id=parked_id)
        return {"id": parked_id, "state": "resolved", "reason": None}


class NotRetryable(Exception):
    """The parked record belongs to no consumer that can apply it alone; the text says what to do."""


async def _lag(state: ConsumerState) -> int | None:
    if state.measure_lag is not None:
        try:
            return await state.measure_lag()
        except Exception as exc:
            log.debug("lag not measured", consumer=state.name, error=str(exc))
            return None
    consumer = getattr(state.subscriber, "consumer", None)
    if consumer is None:
        return None
    total = 0
    try:
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is None:
                continue
            applied = state.next_offsets.get((tp.topic, tp.partition))
            if applied is None:
                applied = await consumer.position(TopicPartition(tp.topic, tp.partition))
            total += max(0, high - applied)
    except Exception as exc:  # the consumer is between assignments: say nothing rather than guess
        log.debug("lag not measured", consumer=state.name, error=str(exc))
        return None
    return total
