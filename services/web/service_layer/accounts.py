"""Adding and changing accounts: a generated password for a new account (or on request), hashed before storing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from services.web.domain.accounts import Account, AccountIn, generate_password
from services.web.service_layer.ports import AccountStore, PasswordHashing


class UnknownUnit(Exception):
    """The account names a unit the directory does not have."""


@dataclass(frozen=True)
class Saved:
    account: Account
    created: bool
    password: str | None  # shown once, to whoever added the account; never stored or logged


class Accounts:
    def __init__(self, store: AccountStore, passwords: PasswordHashing, unit_exists: Callable[[str], Awaitable[bool]],
                 clock: Callable[[], datetime]):
        self._store, self._passwords, self._unit_exists, self._clock = store, passwords, unit_exists, clock

    async def put(self, login: str, body: AccountIn) -> Saved:
        if body.unit is not None and not await self._unit_exists(body.unit):
            raise UnknownUnit(body.unit)
        account = Account.of(login, body)
        new = body.reset_password or await self._store.get(login) is None
        password = generate_password() if new else None
        password_hash = await self._passwords.hash(password) if password else None
        created = await self._store.put(account, password_hash, self._clock())
        return Saved(account, created, password)
