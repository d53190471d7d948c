"""Who may see what on the pages: a token from the header or ``?token=``, and the viewer's units.

EventSource cannot set headers, so the page's stream passes the token as ``?token=``; every other
call sends ``Authorization: Bearer``. A viewer sees its own unit and every unit below it through
``parent_id`` or ``department_parent_id`` (as UnitRegistered events say); investigators and
admins see every unit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import Request

from services.archive.stats.domain import UnitInfo
from shared.auth import InvalidToken, Principal, verify_token
from shared.http import Problem

SEE_ALL = ("investigator", "admin")


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


def subtree(units: dict[str, UnitInfo], root: str) -> set[str]:
    """``root`` and every unit below it by either parent link."""
    children: dict[str, list[str]] = {}
    for u in units.values():
        for parent in {u.parent_id, u.department_parent_id} - {None}:
            children.setdefault(str(parent), []).append(u.unit_id)
    seen, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def visible_units(principal: Principal, units: dict[str, UnitInfo]) -> set[str] | None:
    """None when the viewer sees everything; otherwise the set of unit ids it may see."""
    if principal.has_any(*SEE_ALL):
        return None
    if principal.unit is None:
        return set()
    return subtree(units, principal.unit)


def may_see(scope: set[str] | None, unit_ids: Iterable[str | None]) -> bool:
    return scope is None or any(u in scope for u in unit_ids if u)
