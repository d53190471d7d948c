"""Failures that pass: the database or the broker is unreachable or busy for a moment.

A consumer retries these (with backoff, a bounded number of times); every other failure means the
record itself cannot be applied, and it is set aside (``shared.consumer``).
"""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka.errors import KafkaError

TRANSIENT: tuple[type[Exception], ...] = (
    OSError,
    asyncio.TimeoutError,
    KafkaError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # includes ConnectionDoesNotExistError
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.LockNotAvailableError,
    asyncpg.QueryCanceledError,
    asyncpg.OperatorInterventionError,  # admin shutdown, crash shutdown
    # "cannot switch to state …; another operation is in progress": a pooled connection left mid-operation
    # when the server went away (seen once in 350 requests across a PostgreSQL restart); the pool replaces it
    asyncpg.InternalClientError,
)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT)
