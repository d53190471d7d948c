"""Accounts, sign-in, lock-out, CSRF and the pages' calls to the services, on the real database and services."""

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from deploy import cli
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.web import add_account

pytestmark = pytest.mark.integration


def admin(infra: Infra) -> dict[str, str]:
    return {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}


def row(infra: Infra, sql: str, *args: Any) -> Any:
    async def fetch() -> Any:
        conn = await asyncpg.connect(infra.owner_dsn)
        try:
            return await conn.fetchrow(sql, *args)
        finally:
            await conn.close()
    return asyncio.run(fetch())


def browser(web: str) -> httpx.Client:
    """A client that behaves as the pages do: same origin, the session cookie kept."""
    return httpx.Client(base_url=web, headers={"Origin": web}, timeout=30)


def signed_in(web: str, login: str, password: str) -> tuple[httpx.Client, str]:
    client = browser(web)
    answer = client.post("/v1/session", json={"login": login, "password": password})
    assert answer.status_code == 201, answer.text
    return client, answer.json()["csrf_token"]


def test_an_admin_adds_an_account_whose_password_is_stored_only_as_an_argon2id_hash(
        infra: Infra, services: dict[str, str]) -> None:
    web = services["web"]
    body = {"name": "王芳", "unit": "town-a-office", "roles": ["reporter", "approver"], "phone": "13900000001",
            "clearance": "secret"}
    answer = httpx.put(f"{web}/v1/accounts/wangfang", json=body, headers=admin(infra), timeout=30)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    password = created["password"]
    assert created | {"password": None} == {"login": "wangfang", "name": "王芳", "unit": "town-a-office",
                                            "roles": ["reporter", "approver"], "phone": "13900000001",
                                            "clearance": "secret", "created": True, "password": None}
    assert len(password) == 16
    stored = row(infra, "SELECT * FROM web.accounts WHERE login = 'wangfang'")
    assert stored["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not any(password in str(value) for value in stored.values())

    again = httpx.put(f"{web}/v1/accounts/wangfang", json={**body, "roles": ["reporter"]}, headers=admin(infra))
    assert again.status_code == 200 and again.json()["password"] is None and again.json()["roles"] == ["reporter"]
    assert row(infra, "SELECT password_hash FROM web.accounts WHERE login = 'wangfang'")[0] == stored["password_hash"]
    signed_in(web, "wangfang", password)  # the old password still holds

    reset = httpx.put(f"{web}/v1/accounts/wangfang", json={**body, "reset_password": True}, headers=admin(infra))
    assert reset.status_code == 200 and reset.json()["password"] not in (None, password)
    assert browser(web).post("/v1/session", json={"login": "wangfang", "password": password}).status_code == 401
    assert httpx.get(f"{web}/v1/accounts/wangfang", headers=admin(infra)).json()["roles"] == ["reporter", "approver"]


@pytest.mark.parametrize(("login", "body", "status", "field"), [
    ("li-na", {"name": "李娜", "unit": "no-such-unit", "roles": ["reporter"]}, 422, "unit"),
    ("li-na", {"name": "李娜", "unit": "town-a-office", "roles": ["mayor"]}, 422, "roles"),
    ("li-na", {"name": "李娜", "roles": ["reporter"]}, 422, "body"),
    ("li-na", {"name": "李娜", "unit": "town-a-office", "roles": ["reporter"], "clearance": "top"}, 422, "clearance"),
    ("李娜", {"name": "李娜", "unit": "town-a-office", "roles": ["reporter"]}, 422, "login"),
])
def test_an_account_that_cannot_be_is_refused_naming_the_field_in_both_languages(
        infra: Infra, services: dict[str, str], login: str, body: dict[str, Any], status: int, field: str) -> None:
    answer = httpx.put(f"{services['web']}/v1/accounts/{login}", json=body, headers=admin(infra), timeout=30)
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json" and " / " in problem["detail"]
    assert field in [e["field"] for e in problem["errors"]], problem


def test_only_an_admin_adds_accounts(infra: Infra, services: dict[str, str]) -> None:
    body = {"name": "李娜", "unit": "town-a-office", "roles": ["admin"]}
    url = f"{services['web']}/v1/accounts/li-na"
    assert httpx.put(url, json=body).status_code == 401
    principal = {"Authorization": f"Bearer {infra.token(unit='county-x-office', role='principal')}"}
    answer = httpx.put(url, json=body, headers=principal)
    assert answer.status_code == 403 and "admin" in answer.json()["detail"]


def test_the_pages_call_the_services_as_the_signed_in_person(infra: Infra, services: dict[str, str]) -> None:
    web = services["web"]
    password = add_account(infra, web, "zhao-town-a", "town-a-office", ["reporter"])
    client, csrf = signed_in(web, "zhao-town-a", password)
    assert "town-a-office" in [u["unit_id"] for u in client.get("/api/archive/v1/units").json()["units"]]
    own = client.post("/api/intake/v1/reports", json=report(), headers={"X-CSRF-Token": csrf})
    assert own.status_code == 202, own.text  # intake took it from town-a's reporter …
    other = report(reporting_unit="town-b-office", location={"unit_id": "town-b-office", "address": "镇东"})
    refused = client.post("/api/intake/v1/reports", json=other, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403, refused.text  # … and not for another unit: the token is the person's
    assert client.get("/api/nowhere/v1/units").status_code == 404
    assert client.get("/api/archive/healthz").status_code == 404  # only the /v1 APIs
    assert httpx.get(f"{web}/api/archive/v1/units").status_code == 401  # no session, no call


def test_a_change_without_the_csrf_token_or_from_another_site_is_refused(
        infra: Infra, services: dict[str, str]) -> None:
    web = services["web"]
    client, csrf = signed_in(web, "qian-town-a", add_account(infra, web, "qian-town-a", "town-a-office", ["reporter"]))
    assert client.post("/api/intake/v1/reports", json=report()).status_code == 403
    forged = client.post("/api/intake/v1/reports", json=report(),
                         headers={"X-CSRF-Token": csrf, "Origin": "http://attacker.example"})
    assert forged.status_code == 403 and "Cross-site" in forged.json()["detail"]
    bare = httpx.post(f"{web}/v1/session", json={"login": "qian-town-a", "password": "x"})  # no Origin, no Referer
    assert bare.status_code == 403


def test_five_wrong_passwords_lock_the_login_and_the_answer_says_when_to_retry(
        infra: Infra, services: dict[str, str]) -> None:
    web = services["web"]
    password = add_account(infra, web, "sun-county", "county-x-office", ["duty_officer"])
    client = browser(web)
    statuses = [client.post("/v1/session", json={"login": "sun-county", "password": "wrong"}).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = client.post("/v1/session", json={"login": "sun-county", "password": password})
    assert locked.status_code == 429, locked.text
    assert "请于北京时间" in locked.json()["detail"] and "try again after" in locked.json()["detail"]
    assert 850 < int(locked.headers["retry-after"]) <= 900
    assert row(infra, "SELECT count(*) FROM web.sign_in_failures WHERE login = 'sun-county'")[0] == 5


def test_signing_out_deletes_the_session(infra: Infra, services: dict[str, str]) -> None:
    web = services["web"]
    client, csrf = signed_in(web, "zhou-county", add_account(infra, web, "zhou-county", "county-x-office",
                                                              ["duty_officer"]))
    assert row(infra, "SELECT count(*) FROM web.sessions WHERE login = 'zhou-county'")[0] == 1
    assert client.delete("/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert row(infra, "SELECT count(*) FROM web.sessions WHERE login = 'zhou-county'")[0] == 0
    assert client.get("/api/archive/v1/units").status_code == 401


def test_the_breach_stream_passes_through_unbuffered(infra: Infra, services: dict[str, str]) -> None:
    web = services["web"]
    client, _ = signed_in(web, "wu-county", add_account(infra, web, "wu-county", "county-x-office", ["duty_officer"]))
    started = time.monotonic()
    with client.stream("GET", "/api/archive/v1/streams/breaches") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        first = next(stream.iter_text())
        assert first.startswith("retry: 1000") and time.monotonic() - started < 5  # long before the 60 s it lasts


def test_account_add_prints_a_password_that_signs_in(infra: Infra, services: dict[str, str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    web = services["web"]
    (tmp_path / "keys").mkdir()
    shutil.copy(infra.keys / "jwt.pem", tmp_path / "keys" / "jwt-ed25519.pem")  # the stack's key, where up keeps it
    monkeypatch.setenv("BAOSONG_HOME", str(tmp_path))
    monkeypatch.setenv("BAOSONG_WEB_PORT", str(urlsplit(web).port))
    code = cli.main(["account", "add", "--login", "zheng-county", "--unit", "county-x-office", "--role", "duty_officer",
                     "--role", "principal", "--name", "郑强", "--phone", "13800000002"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "account zheng-county created 已创建" in err
    signed_in(web, "zheng-county", out.strip())
    assert cli.main(["account", "add", "--login", "zheng-county", "--unit", "nowhere", "--role", "reporter",
                     "--name", "郑强"]) == 1
    assert "单位未登记" in capsys.readouterr().err
