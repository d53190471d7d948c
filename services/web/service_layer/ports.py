"""What the service layer needs from storage and hashing; PostgreSQL and argon2 in production, fakes in tests."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from services.web.domain.accounts import Account
from services.web.domain.sessions import Session


class AccountStore(Protocol):
    async def get(self, login: str) -> Account | None: ...

    async def credentials(self, login: str) -> tuple[Account, str] | None: ...

    async def put(self, account: Account, password_hash: str | None, now: datetime) -> bool: ...


class SessionStore(Protocol):
    async def create(self, session: Session) -> None: ...

    async def get(self, session_id: str) -> Session | None: ...

    async def delete(self, session_id: str) -> None: ...

    async def delete_expired(self, now: datetime) -> None: ...


class FailureStore(Protocol):
    async def since(self, login: str, since: datetime) -> list[datetime]: ...

    async def record(self, login: str, at: datetime, forget_before: datetime) -> None: ...

    async def clear(self, login: str) -> None: ...


class PasswordHashing(Protocol):
    async def hash(self, password: str) -> str: ...

    async def matches(self, stored_hash: str | None, password: str) -> bool: ...
