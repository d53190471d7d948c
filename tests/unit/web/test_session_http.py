"""The sign-in endpoints and the CSRF guard over HTTP (FastAPI's TestClient, in-memory stores)."""

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.web.domain.accounts import Account
from services.web.domain.lockout import LockoutRule
from services.web.entrypoints import session_http
from services.web.entrypoints.guard import signed_in
from services.web.service_layer.signin import Gate
from shared.http import install_problem_handlers
from tests.unit.web.fakes import Clock, FakeAccounts, FakeFailures, FakeSessions, PlainHashing

PAGES = "http://testserver"
ZHANG = Account("zhangwei", "张伟", "county-x-office", ("duty_officer",), None, "internal")


@pytest.fixture
def client() -> TestClient:
    accounts = FakeAccounts()
    accounts.rows["zhangwei"] = (ZHANG, "plain:right-password")
    clock = Clock()
    gate = Gate(accounts, FakeSessions(), FakeFailures(), PlainHashing(),
                LockoutRule(5, timedelta(minutes=15), timedelta(minutes=15)), timedelta(hours=8), clock)
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(session_http.router(gate, signed_in(gate, []), allowed_origins=[], ttl_s=8 * 3600,
                                           secure_cookie=False, max_failures=5, window_s=900,
                                           clock=clock))
    return TestClient(app)


def test_signing_in_sets_an_httponly_samesite_strict_cookie_and_gives_the_csrf_token(client: TestClient) -> None:
    answer = client.post("/v1/session", json={"login": "zhangwei", "password": "right-password"},
                         headers={"Origin": PAGES})
    assert answer.status_code == 201, answer.text
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("baosong_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    body = answer.json()
    assert body["login"] == "zhangwei" and body["csrf_token"] and "password" not in body
    assert client.get("/v1/session").json()["csrf_token"] == body["csrf_token"]


def test_signing_in_from_another_site_is_refused(client: TestClient) -> None:
    answer = client.post("/v1/session", json={"login": "zhangwei", "password": "right-password"},
                         headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403 and "Cross-site request refused" in answer.json()["detail"]


def test_signing_out_needs_the_csrf_token_and_the_pages_origin(client: TestClient) -> None:
    token = client.post("/v1/session", json={"login": "zhangwei", "password": "right-password"},
                        headers={"Origin": PAGES}).json()["csrf_token"]
    assert client.delete("/v1/session", headers={"Origin": PAGES}).status_code == 403
    assert client.delete("/v1/session", headers={"Origin": PAGES, "X-CSRF-Token": "guess"}).status_code == 403
    assert client.delete("/v1/session", headers={"Origin": "http://evil.example",
                                                 "X-CSRF-Token": token}).status_code == 403
    assert client.get("/v1/session").status_code == 200  # none of those signed anyone out
    assert client.delete("/v1/session", headers={"Origin": PAGES, "X-CSRF-Token": token}).status_code == 204
    assert client.get("/v1/session").status_code == 401


def test_the_fifth_wrong_password_locks_and_the_answer_says_when_to_retry(client: TestClient) -> None:
    for left in (4, 3, 2, 1):
        answer = client.post("/v1/session", json={"login": "zhangwei", "password": "wrong"}, headers={"Origin": PAGES})
        assert answer.status_code == 401 and answer.json()["attempts_left"] == left
        assert f"还可尝试 {left} 次" in answer.json()["detail"]
    answer = client.post("/v1/session", json={"login": "zhangwei", "password": "wrong"}, headers={"Origin": PAGES})
    assert answer.status_code == 429
    body = answer.json()
    assert body["retry_at"] == "2026-12-06T10:15:00+08:00" and answer.headers["retry-after"] == "900"
    assert "请于北京时间 2026-12-06 10:15:00 后重试" in body["detail"] and "try again after" in body["detail"]
    answer = client.post("/v1/session", json={"login": "zhangwei", "password": "right-password"},
                         headers={"Origin": PAGES})
    assert answer.status_code == 429
