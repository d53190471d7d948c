"""A person who signs in at the pages: login, name, unit, roles, phone and clearance (pure; no I/O)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from shared.access import DEFAULT, LEVELS
from shared.auth import ROLES

#: Letters, digits and ``. _ - @``, 2 to 64 characters, starting with a letter or digit (it names the person in
#: every event they cause: the ``sub`` of the tokens minted for them).
LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")
#: Roles that act for no one unit (as ``./baosong token`` allows).
UNITLESS_ROLES = frozenset({"admin", "investigator"})
#: Letters and digits without look-alikes (0/O, 1/l/I): read off a screen and typed in by a person.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 16  # ≈ 92 bits

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                        pattern=r"^[^\x00-\x1f\x7f]+$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 -]{4,19}$")]


def generate_password() -> str:
    """A new account's password, shown once to whoever added the account."""
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def login_refusal(login: str) -> tuple[str, str] | None:
    """Why ``login`` cannot name an account (中文, English), or None."""
    if LOGIN.fullmatch(login):
        return None
    return ("账号应为 2–64 个字母、数字或 . _ - @，以字母或数字开头",
            "a login is 2 to 64 letters, digits or . _ - @, starting with a letter or digit")


class AccountIn(BaseModel):
    """``PUT /v1/accounts/{login}``'s body (``./baosong account add`` sends it)."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="姓名 / the person's name, as pages and events show it")
    unit: str | None = Field(default=None, min_length=1, max_length=128,
                             description="the unit they act for (null only for admin and investigator accounts)")
    roles: list[str] = Field(min_length=1, max_length=len(ROLES), description=f"one or more of {', '.join(ROLES)}")
    phone: Phone | None = Field(default=None, description="联系电话 / contact phone")
    clearance: str = Field(default=DEFAULT, description=f"密级 / the highest classification they may read: "
                                                        f"{', '.join(LEVELS)}")
    reset_password: bool = Field(default=False, description="an existing account gets a new generated password")

    @field_validator("roles")
    @classmethod
    def known_roles(cls, roles: list[str]) -> list[str]:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"未知角色 / unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
        return sorted(set(roles), key=ROLES.index)

    @field_validator("clearance")
    @classmethod
    def known_level(cls, clearance: str) -> str:
        if clearance not in LEVELS:
            raise ValueError(f"未知密级 / unknown clearance {clearance!r}; levels are {', '.join(LEVELS)}")
        return clearance

    @model_validator(mode="after")
    def unit_unless_unitless(self) -> AccountIn:
        if self.unit is None and not set(self.roles) <= UNITLESS_ROLES:
            raise ValueError("除 admin、investigator 外须指定单位 / unit is required unless every role is admin or "
                             "investigator")
        return self


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    unit: str | None
    roles: tuple[str, ...]
    phone: str | None
    clearance: str

    @classmethod
    def of(cls, login: str, body: AccountIn) -> Account:
        return cls(login, body.name, body.unit, tuple(body.roles), body.phone, body.clearance)

    def public(self) -> dict[str, object]:
        """What the API and the pages show of it (never a password or its hash)."""
        return {"login": self.login, "name": self.name, "unit": self.unit, "roles": list(self.roles),
                "phone": self.phone, "clearance": self.clearance}
