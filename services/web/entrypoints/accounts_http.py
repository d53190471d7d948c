"""``PUT /v1/accounts/{login}`` and ``GET /v1/accounts/{login}``: accounts of the people who sign in at the pages,
added by an admin's bearer token (``./baosong account add`` calls the PUT)."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from services.web.domain.accounts import AccountIn, login_refusal
from services.web.service_layer.accounts import Accounts, UnknownUnit
from services.web.service_layer.ports import AccountStore
from shared.auth import Principal
from shared.http import Problem, require_roles


class AccountOut(BaseModel):
    login: str
    name: str
    unit: str | None
    roles: list[str]
    phone: str | None
    clearance: str
    created: bool = Field(description="true: a new account (201); false: an existing one changed (200)")
    password: str | None = Field(description="The generated password, shown this once (a new account, or "
                                             "reset_password); null otherwise. Never stored or logged in clear.")


class AccountView(BaseModel):
    login: str
    name: str
    unit: str | None
    roles: list[str]
    phone: str | None
    clearance: str


def _checked_login(login: str) -> str:
    refusal = login_refusal(login)
    if refusal is not None:
        zh, en = refusal
        raise Problem(422, "Invalid request", f"login: {zh} / {en}",
                      [{"field": "login", "message": zh, "message_en": en, "type": "string_pattern_mismatch"}])
    return login


LoginPath = Annotated[str, Path(description="账号 / the login")]


def router(accounts: Accounts, store: AccountStore, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.put("/accounts/{login}", response_model=AccountOut, status_code=200,
             responses={201: {"model": AccountOut, "description": "账号已创建 / the account was created"}},
             summary="添加或修改账号（admin） / add or change an account; a new one gets a generated password")
    async def put_account(login: LoginPath, body: AccountIn, response: Response,
                          principal: Annotated[Principal, Depends(auth)]) -> AccountOut:
        require_roles(principal, "admin")
        try:
            saved = await accounts.put(_checked_login(login), body)
        except UnknownUnit as unknown:
            zh, en = "单位未登记", f"no unit {unknown.args[0]!r} is registered (PUT /v1/units/{{unit_id}} at intake)"
            raise Problem(422, "Invalid request", f"unit: {zh} / {en}",
                          [{"field": "unit", "message": zh, "message_en": en, "type": "unknown_unit"}]) from None
        except httpx.HTTPError as exc:
            why = type(exc).__name__
            raise Problem(503, "Service unavailable", "无法查询单位目录，请稍后重试 / The unit directory (intake) "
                                                      f"cannot be asked now: try again later ({why}).") from None
        response.status_code = 201 if saved.created else 200
        return AccountOut(**saved.account.public(), created=saved.created, password=saved.password)

    @api.get("/accounts/{login}", response_model=AccountView, summary="一个账号（admin） / one account")
    async def get_account(login: LoginPath, principal: Annotated[Principal, Depends(auth)]) -> AccountView:
        require_roles(principal, "admin")
        found = await store.get(_checked_login(login))
        if found is None:
            raise Problem(404, "Not Found", f"没有账号 {login} / No account {login!r}.")
        return AccountView(**found.public())

    return api
