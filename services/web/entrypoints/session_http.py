"""Signing in and out: ``POST /v1/session`` (账号, 密码), ``GET /v1/session`` (who, and the CSRF token the pages
send back), ``DELETE /v1/session`` (退出). For the pages only (a session cookie), so not in the OpenAPI document,
which lists what machines call with bearer tokens."""

from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.web.domain.sessions import COOKIE, Session
from services.web.entrypoints.guard import check_origin
from services.web.service_layer.signin import Gate, Locked, WrongCredentials
from shared.http import Problem, problem_response
from shared.logging import get_logger

BEIJING = ZoneInfo("Asia/Shanghai")
log = get_logger(__name__)  # who signed in, failed or was locked out: the login only, never a password


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=64, description="账号")
    password: str = Field(min_length=1, max_length=256, description="密码")


def described(session: Session) -> dict[str, Any]:
    return {**session.account.public(), "csrf_token": session.csrf_token,
            "expires_at": session.expires_at.isoformat()}


def locked_problem(locked: Locked, failures: int, window_s: int, now: datetime) -> Problem:
    until = (locked.until + timedelta(microseconds=999_999)).replace(microsecond=0)  # the whole second after
    at = until.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    wait_s = max(int((until - now).total_seconds()), 1)
    minutes = window_s // 60
    return Problem(429, "Too Many Requests",
                   f"账号已锁定：{minutes} 分钟内连续 {failures} 次登录失败，请于北京时间 {at} 后重试 / Locked after "
                   f"{failures} failed sign-ins within {minutes} minutes: try again after {at} Beijing time "
                   f"({until.astimezone(UTC).isoformat()}).",
                   extra={"retry_at": until.astimezone(UTC).isoformat(), "retry_after_s": wait_s})


def router(gate: Gate, session: Callable[..., Awaitable[Session]], *, allowed_origins: Collection[str],
           ttl_s: int, secure_cookie: bool, max_failures: int, window_s: int,
           clock: Callable[[], datetime]) -> APIRouter:
    api = APIRouter(prefix="/v1", include_in_schema=False)

    @api.post("/session", status_code=201, response_model=None)
    async def sign_in(request: Request, credentials: Credentials, response: Response) -> dict[str, Any] | JSONResponse:
        check_origin(request, allowed_origins)  # no one signs a browser in from another site
        try:
            signed = await gate.sign_in(credentials.login, credentials.password)
        except Locked as locked:
            log.warning("sign-in refused: the login is locked", login=credentials.login, until=locked.until.isoformat())
            problem = locked_problem(locked, max_failures, window_s, clock())
            answer = problem_response(problem, request.url.path)
            answer.headers["Retry-After"] = str(problem.extra["retry_after_s"])
            return answer
        except WrongCredentials as wrong:
            log.info("sign-in failed", login=credentials.login, attempts_left=wrong.attempts_left)
            raise Problem(401, "Unauthorized", f"账号或密码错误，还可尝试 {wrong.attempts_left} 次 / Wrong login or "
                                               f"password: {wrong.attempts_left} more attempts before the login "
                                               "is locked.", extra={"attempts_left": wrong.attempts_left}) from None
        log.info("signed in", login=signed.session.account.login, unit=signed.session.account.unit)
        response.set_cookie(COOKIE, signed.cookie, max_age=ttl_s, path="/", httponly=True, samesite="strict",
                            secure=secure_cookie)
        return described(signed.session)

    @api.get("/session")
    async def who(current: Annotated[Session, Depends(session)]) -> dict[str, Any]:
        return described(current)

    @api.delete("/session", status_code=204)
    async def sign_out(current: Annotated[Session, Depends(session)], response: Response) -> None:
        await gate.sign_out(current)
        log.info("signed out", login=current.account.login)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookie)

    return api
