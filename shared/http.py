"""HTTP conventions shared by the four services: bearer auth, RFC 9457 problems, ``/healthz``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from shared.auth import InvalidToken, Principal, verify_token
from shared.field_words import translate
from shared.logging import get_logger
from shared.offset import china_times
from shared.request_target import RefuseUnreadableTargets, Unreadable
from shared.transient import TRANSIENT, is_transient

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)
#: Declared in every service's OpenAPI (``securitySchemes.bearer``) by the endpoints that depend on it.
BEARER = HTTPBearer(scheme_name="bearer", bearerFormat="JWT", auto_error=False,
                    description="Ed25519-signed JWT with claims sub, unit, roles (./baosong token).")


class Problem(Exception):
    """An error answered as ``application/problem+json``; ``errors`` names each bad field."""

    def __init__(self, status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors or []
        self.extra = extra or {}  # further members of the problem document (RFC 9457 extensions)
        self.headers = headers or {}  # e.g. Retry-After


class Answer(JSONResponse):
    """Every JSON answer of every service: its times stated at +08:00 (``shared.offset.china_times``)."""

    def render(self, content: Any) -> bytes:
        return super().render(china_times(content))


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
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else {}
    return Answer(body, status_code=problem.status, media_type=PROBLEM_JSON, headers={**headers, **problem.headers})


def _field_path(error: Any) -> str:
    if error["type"] == "json_invalid":  # loc is ("body", <character offset>)
        return "body"
    parts = [str(p) for p in error["loc"] if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def framework_problem(exc: HTTPException, request: Request) -> Problem:
    """The router's and the body parser's own refusals (unknown path, method not allowed, unreadable body)."""
    title = HTTPStatus(exc.status_code).phrase
    path, method = request.url.path, request.method
    if exc.status_code == 404:
        return Problem(404, title, f"没有这个路径 / No such path: {path}")
    if exc.status_code == 405:
        return Problem(405, title, f"{path} 不接受 {method} 请求 / {path} does not take {method}"
                                   f" (allowed: {(exc.headers or {}).get('Allow', '')})")
    if exc.status_code == 400:
        return Problem(400, title, f"请求正文无法解析 / The body could not be read: {exc.detail}",
                       [{"field": "body", "message": "请发送 UTF-8 编码的 JSON / send JSON in UTF-8",
                         "type": "body_unreadable"}])
    return Problem(exc.status_code, title, str(exc.detail))


def unreadable_target(exc: Unreadable, instance: str) -> JSONResponse:
    return problem_response(Problem(400, "Bad Request", f"请求地址无法读取 / The request's {exc.field} cannot be read:"
                                    f" {exc.en}", [{"field": exc.field, "message": exc.zh, "message_en": exc.en,
                                                    "type": exc.kind}]), instance)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error leaves the service as problem+json, validation errors naming each field."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for e in exc.errors():
            zh, en = translate(e["type"], dict(e.get("ctx") or {}), e["msg"])
            errors.append({"field": _field_path(e), "message": zh, "message_en": en, "type": e["type"]})
        fields = "; ".join(f"{e['field']}: {e['message']} / {e['message_en']}" for e in errors)
        return problem_response(
            Problem(422, "Invalid request", f"请修改以下字段后重新发送 / Fix these fields and send again: {fields}",
                    errors),
            request.url.path,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        response = problem_response(framework_problem(exc, request), request.url.path)
        if exc.status_code == 405 and exc.headers:
            response.headers["Allow"] = exc.headers.get("Allow", "")
        return response

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        """A dependency down for a moment (the database restarting, the broker gone) is no defect: 503, retry
        (with the same Idempotency-Key, where the request has one: nothing is done twice)."""
        log.warning("request not served: a dependency is unavailable", method=request.method,
                    path=request.url.path, error=repr(exc))
        same_key = "Idempotency-Key" in request.headers
        zh = "暂时无法处理，请稍后" + ("用同一 Idempotency-Key " if same_key else "") + "重试。"
        en = "A service this one needs is unavailable for a moment: try again later" + (
            " with the same Idempotency-Key." if same_key else ".")
        return problem_response(Problem(503, "Service unavailable", f"{zh} / {en}"), request.url.path)

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        """A defect, never the client's input: logged, answered as a problem (the server re-raises it)."""
        if is_transient(exc):  # wrapped where the handlers by class do not see it
            return await on_unavailable(request, exc)
        log.error("unhandled error", method=request.method, path=request.url.path, error=repr(exc))
        return problem_response(Problem(500, "Internal Server Error", "服务内部错误，已记录 / An internal error,"
                                        " logged: please report it with the time of the request."),
                                request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    for passing in TRANSIENT:  # handled here, not re-raised to the server as a crash would be
        app.add_exception_handler(passing, on_unavailable)
    app.add_exception_handler(Exception, on_crash)
    app.add_middleware(RefuseUnreadableTargets, answer=unreadable_target)


def bearer_auth(public_key_pem: bytes, query_param: str | None = None) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, or 401 when the token is missing or invalid.

    With ``query_param`` the token may also come as ``?<query_param>=`` (EventSource and download links
    cannot set headers). Both ways are declared as security schemes in the service's OpenAPI."""

    def verified(token: str) -> Principal:
        if not token:
            also = f" or '?{query_param}=<token>'" if query_param is not None else ""
            raise Problem(401, "Unauthorized", f"缺少令牌 / Send 'Authorization: Bearer <token>'{also}"
                                                " (./baosong token).")
        try:
            return verify_token(public_key_pem, token)
        except InvalidToken as exc:
            raise Problem(401, "Unauthorized", f"令牌无效 / The bearer token was refused: {exc}") from exc

    from_header = Depends(BEARER)
    if query_param is None:

        async def principal(credentials: HTTPAuthorizationCredentials | None = from_header) -> Principal:
            return verified(credentials.credentials.strip() if credentials else "")

        return principal
    from_query = Depends(APIKeyQuery(name=query_param, scheme_name=f"{query_param}_query", auto_error=False,
                                     description="The same JWT as a query parameter (EventSource, downloads)."))

    async def principal_or_query(credentials: HTTPAuthorizationCredentials | None = from_header,
                                 query_token: str | None = from_query) -> Principal:
        return verified(credentials.credentials.strip() if credentials else (query_token or "").strip())

    return principal_or_query


def require_roles(principal: Principal, *roles: str) -> None:
    """403 unless the caller holds one of ``roles``."""
    if not principal.has_any(*roles):
        raise Problem(403, "Forbidden", f"此操作需要以下角色之一：{'、'.join(roles)} / This action needs one of"
                                        f" the roles: {', '.join(roles)}.")
