"""Who is signed in (the session cookie), and the CSRF checks every state-changing request from the pages passes."""

from collections.abc import Awaitable, Callable, Collection
from typing import Annotated

from fastapi import Cookie, Depends, Request

from services.web.domain.csrf import SAFE_METHODS, origin_of, origin_refusal, token_refusal
from services.web.domain.sessions import COOKIE, CSRF_HEADER, Session
from services.web.service_layer.signin import Gate
from shared.http import Problem

SessionDependency = Callable[..., Awaitable[Session | None]]


def optional_session(gate: Gate) -> SessionDependency:
    async def session(baosong_session: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Session | None:
        return await gate.session(baosong_session)

    return session


def own_origins(request: Request, allowed: Collection[str]) -> set[str]:
    """The origin the request was sent to (scheme and Host), and the configured ones."""
    return {o for o in (origin_of(str(request.base_url)), *allowed) if o}


def check_origin(request: Request, allowed: Collection[str]) -> None:
    refusal = origin_refusal(request.headers.get("origin"), request.headers.get("referer"),
                             own_origins(request, allowed))
    if refusal is not None:
        raise Problem(403, "Forbidden", f"跨站请求已拒绝：{refusal[0]} / Cross-site request refused: {refusal[1]}.")


def signed_in(gate: Gate, allowed: Collection[str]) -> Callable[..., Awaitable[Session]]:
    """The live session, or 401; for a method that changes anything, also 403 unless the request comes from the
    pages' origin with the session's CSRF token."""
    current = optional_session(gate)

    async def session(request: Request, found: Annotated[Session | None, Depends(current)]) -> Session:
        if found is None:
            raise Problem(401, "Unauthorized", "请先登录 / Sign in first (the session is missing or has ended).")
        if request.method not in SAFE_METHODS:
            check_origin(request, allowed)
            refusal = token_refusal(found.csrf_token, request.headers.get(CSRF_HEADER))
            if refusal is not None:
                raise Problem(403, "Forbidden", f"跨站请求已拒绝：{refusal[0]} / Cross-site request refused: "
                                                f"{refusal[1]}.")
        return found

    return session
