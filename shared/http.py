"""HTTP conventions shared by the four services: bearer auth, RFC 9457 problems, ``/healthz``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shared.auth import InvalidToken, Principal, verify_token

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error answered as ``application/problem+json``; ``errors`` names each bad field."""

    def __init__(self, status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
                 extra: dict[str, Any] | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors or []
        self.extra = extra or {}  # further members of the problem document (RFC 9457 extensions)


def problem_response(problem: Problem, instance: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    """Every error leaves the service as problem+json, validation errors naming each field."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"field": _field_path(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            Problem(422, "Invalid request", f"Fix these fields and send again: {fields}", errors),
            request.url.path,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem_response(Problem(exc.status_code, str(exc.detail), str(exc.detail)), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


def bearer_auth(public_key_pem: bytes, query_param: str | None = None) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, or 401 when the token is missing or invalid.

    With ``query_param`` the token may also come as ``?<query_param>=`` (EventSource and download links
    cannot set headers)."""

    async def principal(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            token = ""
        if not token and query_param is not None:
            token = request.query_params.get(query_param, "")
        if not token:
            also = f" or '?{query_param}=<token>'" if query_param is not None else ""
            raise Problem(401, "Unauthorized", f"Send 'Authorization: Bearer <token>'{also} (./baosong token).")
        try:
            return verify_token(public_key_pem, token.strip())
        except InvalidToken as exc:
            raise Problem(401, "Unauthorized", f"The bearer token was refused: {exc}") from exc

    return principal


def require_roles(principal: Principal, *roles: str) -> None:
    """403 unless the caller holds one of ``roles``."""
    if not principal.has_any(*roles):
        raise Problem(403, "Forbidden", f"This action needs one of the roles: {', '.join(roles)}.")
