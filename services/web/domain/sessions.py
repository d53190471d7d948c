"""Signed-in sessions (pure): the cookie's secret is never stored, only its SHA-256; each session has its own
CSRF token and an absolute expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from services.web.domain.accounts import Account

COOKIE = "baosong_session"
CSRF_HEADER = "X-CSRF-Token"


def new_secret() -> str:
    """256 random bits, URL-safe: a session cookie's value or a CSRF token."""
    return secrets.token_urlsafe(32)


def session_id(cookie: str) -> str:
    """What the database keeps of a cookie: someone who reads the table cannot sign in with it."""
    return hashlib.sha256(cookie.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    id: str
    account: Account
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return now < self.expires_at
