"""Failures that pass: the database or the broker is unreachable for a moment (retry, never dead-letter)."""

import asyncio

import asyncpg
from aiokafka.errors import KafkaError

TRANSIENT = (OSError, asyncio.TimeoutError, KafkaError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
             asyncpg.CannotConnectNowError)
