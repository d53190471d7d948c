"""Passwords hashed with argon2id (argon2-cffi), checked in a worker thread.

Each hash takes ``memory_cost`` KiB (64 MiB by RFC 9106's second recommendation), so at most
``concurrency`` run at once: a flood of sign-ins waits rather than exhausting the machine's memory."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from services.web.domain.accounts import generate_password


class Passwords:
    """argon2id hashing; ``time_cost``/``memory_cost`` default to RFC 9106's low-memory profile."""

    def __init__(self, *, time_cost: int = RFC_9106_LOW_MEMORY.time_cost,
                 memory_cost: int = RFC_9106_LOW_MEMORY.memory_cost, concurrency: int = 2):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                                      parallelism=RFC_9106_LOW_MEMORY.parallelism, type=Type.ID)
        self._slots = asyncio.Semaphore(concurrency)
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def matches(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` is the one hashed; with no hash (an unknown login) a decoy is checked, so the
        answer takes as long and says nothing about which logins exist."""
        if stored_hash is None:
            self._decoy = self._decoy or await self.hash(generate_password())
            stored_hash = self._decoy
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored_hash, password)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored_hash, password))
        except (VerificationError, InvalidHashError):
            return False
