"""The web schema in PostgreSQL: accounts, sessions, failed sign-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.web.domain.accounts import Account
from services.web.domain.sessions import Session
from shared.db import Database

ACCOUNT_COLUMNS = "a.login, a.name, a.unit_id, a.roles, a.phone, a.clearance"


def _account(row: Any) -> Account:
    return Account(row["login"], row["name"], row["unit_id"], tuple(row["roles"]), row["phone"], row["clearance"])


class PgAccounts:
    def __init__(self, db: Database):
        self._db = db

    async def get(self, login: str) -> Account | None:
        row = await self._db.pool.fetchrow(f"SELECT {ACCOUNT_COLUMNS} FROM web.accounts a WHERE a.login = $1", login)
        return None if row is None else _account(row)

    async def credentials(self, login: str) -> tuple[Account, str] | None:
        row = await self._db.pool.fetchrow(
            f"SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM web.accounts a WHERE a.login = $1", login)
        return None if row is None else (_account(row), row["password_hash"])

    async def put(self, account: Account, password_hash: str | None, now: datetime) -> bool:
        """Insert or update; the hash only when given (an update keeps the password otherwise). True: created."""
        fields = (account.login, account.name, account.unit, list(account.roles), account.phone, account.clearance)
        if password_hash is None:  # an existing account (the service layer gives a new one its hash)
            await self._db.pool.execute(
                """UPDATE web.accounts SET name = $2, unit_id = $3, roles = $4, phone = $5, clearance = $6,
                       updated_at = $7 WHERE login = $1""", *fields, now)
            return False
        created: bool = await self._db.pool.fetchval(
            """INSERT INTO web.accounts AS a (login, name, unit_id, roles, phone, clearance, password_hash,
                                              password_set_at, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)
               ON CONFLICT (login) DO UPDATE SET name = $2, unit_id = $3, roles = $4, phone = $5, clearance = $6,
                   password_hash = $7, password_set_at = $8, updated_at = $8
               RETURNING (xmax = 0)""", *fields, password_hash, now)
        return created


class PgSessions:
    def __init__(self, db: Database):
        self._db = db

    async def create(self, session: Session) -> None:
        await self._db.pool.execute(
            "INSERT INTO web.sessions (id, login, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            session.id, session.account.login, session.csrf_token, session.created_at, session.expires_at)

    async def get(self, session_id: str) -> Session | None:
        """The session with its account as it is now (a change of roles holds at once)."""
        row = await self._db.pool.fetchrow(
            f"""SELECT {ACCOUNT_COLUMNS}, s.id, s.csrf_token, s.created_at, s.expires_at
                FROM web.sessions s JOIN web.accounts a USING (login) WHERE s.id = $1""", session_id)
        if row is None:
            return None
        return Session(row["id"], _account(row), row["csrf_token"], row["created_at"], row["expires_at"])

    async def delete(self, session_id: str) -> None:
        await self._db.pool.execute("DELETE FROM web.sessions WHERE id = $1", session_id)

    async def delete_expired(self, now: datetime) -> None:
        await self._db.pool.execute("DELETE FROM web.sessions WHERE expires_at <= $1", now)


class PgFailures:
    def __init__(self, db: Database):
        self._db = db

    async def since(self, login: str, since: datetime) -> list[datetime]:
        rows = await self._db.pool.fetch(
            "SELECT failed_at FROM web.sign_in_failures WHERE login = $1 AND failed_at > $2 ORDER BY failed_at",
            login, since)
        return [r["failed_at"] for r in rows]

    async def record(self, login: str, at: datetime, forget_before: datetime) -> None:
        async with self._db.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM web.sign_in_failures WHERE login = $1 AND failed_at <= $2",
                               login, forget_before)
            await conn.execute("INSERT INTO web.sign_in_failures (login, failed_at) VALUES ($1, $2)", login, at)

    async def clear(self, login: str) -> None:
        await self._db.pool.execute("DELETE FROM web.sign_in_failures WHERE login = $1", login)
