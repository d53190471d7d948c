"""Signing in and out: lock-out, password check, sessions with expiry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.web.domain.lockout import LockoutRule
from services.web.domain.sessions import Session, new_secret, session_id
from services.web.service_layer.ports import AccountStore, FailureStore, PasswordHashing, SessionStore


class Locked(Exception):
    def __init__(self, until: datetime):
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class WrongCredentials(Exception):
    def __init__(self, attempts_left: int):
        super().__init__(f"wrong login or password; {attempts_left} attempts left")
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class SignedIn:
    cookie: str  # the secret the browser keeps; the store has only its hash
    session: Session


class Gate:
    def __init__(self, accounts: AccountStore, sessions: SessionStore, failures: FailureStore,
                 passwords: PasswordHashing, rule: LockoutRule, session_ttl: timedelta, clock: Callable[[], datetime]):
        self._accounts, self._sessions, self._failures = accounts, sessions, failures
        self._passwords, self._rule, self._ttl, self._clock = passwords, rule, session_ttl, clock

    async def sign_in(self, login: str, password: str) -> SignedIn:
        """A new session; ``Locked`` (no password checked) or ``WrongCredentials`` (the failure recorded)."""
        now = self._clock()
        horizon = now - self._rule.lock - self._rule.window  # older failures lock nothing now
        failures = await self._failures.since(login, horizon)
        until = self._rule.locked_until(failures, now)
        if until is not None:
            raise Locked(until)
        found = await self._accounts.credentials(login)
        if not await self._passwords.matches(found[1] if found else None, password) or found is None:
            await self._failures.record(login, now, forget_before=horizon)
            failures.append(now)
            until = self._rule.locked_until(failures, now)
            if until is not None:
                raise Locked(until)
            raise WrongCredentials(self._rule.attempts_left(failures, now))
        await self._failures.clear(login)
        await self._sessions.delete_expired(now)
        cookie = new_secret()
        session = Session(session_id(cookie), found[0], new_secret(), now, now + self._ttl)
        await self._sessions.create(session)
        return SignedIn(cookie, session)

    async def session(self, cookie: str | None) -> Session | None:
        """The live session the cookie names, or None (an expired one is deleted)."""
        if not cookie:
            return None
        found = await self._sessions.get(session_id(cookie))
        if found is None:
            return None
        if not found.live(self._clock()):
            await self._sessions.delete(found.id)
            return None
        return found

    async def sign_out(self, session: Session) -> None:
        await self._sessions.delete(session.id)
