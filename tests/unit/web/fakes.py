"""In-memory stand-ins for the web service's stores, and a clock the tests move."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.web.domain.accounts import Account
from services.web.domain.sessions import Session


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 12, 6, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeAccounts:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[Account, str]] = {}

    async def get(self, login: str) -> Account | None:
        row = self.rows.get(login)
        return row[0] if row else None

    async def credentials(self, login: str) -> tuple[Account, str] | None:
        return self.rows.get(login)

    async def put(self, account: Account, password_hash: str | None, now: datetime) -> bool:
        created = account.login not in self.rows
        kept = password_hash or self.rows[account.login][1]
        self.rows[account.login] = (account, kept)
        return created


class FakeSessions:
    def __init__(self) -> None:
        self.rows: dict[str, Session] = {}

    async def create(self, session: Session) -> None:
        self.rows[session.id] = session

    async def get(self, session_id: str) -> Session | None:
        return self.rows.get(session_id)

    async def delete(self, session_id: str) -> None:
        self.rows.pop(session_id, None)

    async def delete_expired(self, now: datetime) -> None:
        for sid in [s for s, row in self.rows.items() if not row.live(now)]:
            del self.rows[sid]


class FakeFailures:
    def __init__(self) -> None:
        self.rows: list[tuple[str, datetime]] = []

    async def since(self, login: str, since: datetime) -> list[datetime]:
        return sorted(at for who, at in self.rows if who == login and at > since)

    async def record(self, login: str, at: datetime, forget_before: datetime) -> None:
        self.rows = [(w, a) for w, a in self.rows if not (w == login and a <= forget_before)]
        self.rows.append((login, at))

    async def clear(self, login: str) -> None:
        self.rows = [(w, a) for w, a in self.rows if w != login]


class PlainHashing:
    """Not a hash at all: lets the gate's logic be tested without argon2's cost (argon2 has its own tests)."""

    async def hash(self, password: str) -> str:
        return f"plain:{password}"

    async def matches(self, stored_hash: str | None, password: str) -> bool:
        return stored_hash == f"plain:{password}"
