"""Bearer JWTs (EdDSA / Ed25519): claims ``sub``, ``unit``, ``roles``, ``clearance`` (密级, default internal).
Services hold only the public key."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.access import DEFAULT, LEVELS, Level, level_of

Role = Literal["reporter", "approver", "principal", "duty_officer", "investigator", "admin", "editor", "section_head",
               "leader"]
#: ``editor`` (信息科) receives, adopts and forwards work-information items for its unit; ``section_head`` and
#: ``leader`` (分管领导) sign off in the longer chains an information pack may name.
ROLES: Final[tuple[Role, ...]] = ("reporter", "approver", "principal", "duty_officer", "investigator", "admin",
                                  "editor", "section_head", "leader")
ISSUER: Final = "baosong-local"
ALGORITHM: Final = "EdDSA"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, unit (None for admin), roles and clearance."""

    subject: str
    unit: str | None
    roles: frozenset[str]
    clearance: Level = DEFAULT
    name: str | None = None  # the person's name (claim ``name``), when the token names them (web's do)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed by this stack's key."""


def create_keypair(private_path: Path, public_path: Path) -> None:
    """Write a new Ed25519 key pair, the private key readable by its owner only from its first byte."""
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.unlink(missing_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def mint_token(
    private_key_pem: bytes, *, subject: str, unit: str | None, roles: list[str], ttl_s: int = 12 * 3600,
    clearance: str = DEFAULT, name: str | None = None,
) -> str:
    """A signed token; ``unit`` may be None only for admin and investigator tokens."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {', '.join(ROLES)}")
    if clearance not in LEVELS:
        raise ValueError(f"unknown clearance {clearance!r}; levels are {', '.join(LEVELS)}")
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": subject, "unit": unit, "roles": roles, "clearance": clearance,
              "iat": now, "exp": now + ttl_s}
    if name is not None:
        claims["name"] = name
    return jwt.encode(claims, serialization.load_pem_private_key(private_key_pem, None), ALGORITHM)  # type: ignore[arg-type]


def verify_token(public_key_pem: bytes, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            serialization.load_pem_public_key(public_key_pem),  # type: ignore[arg-type]
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidToken("claim 'roles' must be a list of strings")
    clearance = claims.get("clearance", DEFAULT)
    if clearance not in LEVELS:
        raise InvalidToken(f"claim 'clearance' must be one of {', '.join(LEVELS)}")
    unit, name = claims.get("unit"), claims.get("name")
    return Principal(subject=str(claims["sub"]), unit=unit if isinstance(unit, str) else None, roles=frozenset(roles),
                     clearance=level_of(clearance), name=name if isinstance(name, str) else None)
