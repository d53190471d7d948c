"""shared.http's answers to what no route handles: an unhandled error, an unreadable request target."""

import asyncpg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.http import install_problem_handlers
from shared.request_target import Unreadable, check_target


def test_an_unhandled_error_is_a_problem_500() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/defect")
    async def defect() -> None:
        raise RuntimeError("a defect")

    answer = TestClient(app, raise_server_exceptions=False).get("/defect")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["instance"] == "/defect" and "a defect" not in answer.text


def test_a_dependency_down_for_a_moment_is_a_problem_503_not_500() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/restarting")
    async def restarting() -> None:
        raise asyncpg.CannotConnectNowError("the database system is shutting down")

    client = TestClient(app)  # raises if the error reached the server as a crash
    answer = client.get("/restarting")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" not in answer.json()["detail"]
    keyed = client.get("/restarting", headers={"Idempotency-Key": "k1"})
    assert "同一 Idempotency-Key" in keyed.json()["detail"] and "same Idempotency-Key" in keyed.json()["detail"]


@pytest.mark.parametrize(("raw_path", "query", "field", "kind"), [
    (b"/v1/units/a%00b", b"", "path", "url_nul"),
    (b"/v1/units/%ff", b"", "path", "url_utf8"),
    (b"/v1/units/%e4%b8", b"", "path", "url_utf8"),  # a character cut short
    (b"/v1/units/100%", b"", "path", "url_escape"),
    (b"/v1/breaches", b"since=%ed%a0%80", "since", "url_utf8"),  # a lone surrogate
    (b"/v1/breaches", b"a=1&unit_id=x%00", "unit_id", "url_nul"),
    (b"/v1/breaches", b"%zz=1", "query", "url_escape"),
])
def test_an_unreadable_target_names_the_part(raw_path: bytes, query: bytes, field: str, kind: str) -> None:
    with pytest.raises(Unreadable) as refused:
        check_target(raw_path, query)
    assert (refused.value.field, refused.value.kind) == (field, kind)


@pytest.mark.parametrize(("raw_path", "query"), [
    (b"/v1/units/%E5%9F%8E%E5%85%B3", b""), (b"/v1/breaches", b"since=2026-11-23T09%3A00%3A00%2B08%3A00&x"),
    (b"/v1/units/town-a-office", b"q=a+b&&="),
])
def test_a_readable_target_passes(raw_path: bytes, query: bytes) -> None:
    check_target(raw_path, query)
