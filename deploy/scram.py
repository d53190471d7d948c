"""SCRAM-SHA-256 verifiers, so a password reaches PostgreSQL only as its salted hash.

``ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…'`` stores the verifier as given (as psql's ``\\password``
does): the plain password never travels to the server nor lands in its log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

ITERATIONS = 4096  # what PostgreSQL 15 itself uses for the verifiers it makes


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`` (RFC 5802/7677, as pg_authid keeps it).

    The passwords here are ASCII (``secrets.token_urlsafe``), which SASLprep leaves unchanged.
    """
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
