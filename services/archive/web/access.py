"""Who may see what on the pages: a token from the header or ``?token=``, and the viewer's units.

EventSource cannot set headers, so the page's stream passes the token as ``?token=``; every other
call sends ``Authorization: Bearer``. Which units a viewer sees is the read API's scope
(``Reads.scope``: its unit and every unit below it through ``parent_id`` or ``department_parent_id``;
investigators and admins see every unit); ``may_see`` applies it to a record's units.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import Request

from shared.auth import InvalidToken, Principal, verify_token
from shared.http import Problem


def token_auth(public_key_pem: bytes) -> Callable[[Request], Awaitable[Principal]]:
    """Like ``shared.http.bearer_auth`` but also takes ``?token=`` (for EventSource and downloads)."""

    async def principal(request: Request) -> Principal:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            token = request.query_params.get("token", "")
        if not token:
            raise Problem(401, "Unauthorized", "Send 'Authorization: Bearer <token>' or '?token=<token>'.")
        try:
            return verify_token(public_key_pem, token.strip())
        except InvalidToken as exc:
            raise Problem(401, "Unauthorized", f"The bearer token was refused: {exc}") from exc

    return principal


def may_see(scope: set[str] | None, unit_ids: Iterable[str | None]) -> bool:
    return scope is None or any(u in scope for u in unit_ids if u)
