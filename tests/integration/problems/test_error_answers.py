"""Every error of the four services is problem+json, the framework's own too; no request target is a 500.

Requests with a broken target are written on a raw socket: an HTTP client would tidy the escapes.
"""

import json
import socket
import time

import httpx
import pytest

from tests.conftest import Infra
from tests.integration.problems.conftest import SERVICES
from tests.support.reports import report

pytestmark = pytest.mark.integration
PROBLEM_JSON = "application/problem+json"


def raw_request(url: str, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> httpx.Response:
    """Send ``target`` byte for byte (no client re-escaping); the answer as an ``httpx.Response``."""
    host, port = url.removeprefix("http://").split(":")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close", f"Content-Length: {len(body)}",
             "Content-Type: application/json", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    pairs = [line.split(": ", 1) for line in header_lines]
    return httpx.Response(int(status_line.split()[1]), headers=pairs, content=content)


def assert_problem(answer: httpx.Response, status: int, field: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON, answer.headers
    body = json.loads(answer.content)
    assert body["status"] == status and body["title"] and body["detail"], body
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


@pytest.mark.parametrize("service", SERVICES)
def test_an_unknown_path_is_a_problem_even_without_a_token(services: dict[str, str], service: str) -> None:
    body = assert_problem(httpx.get(f"{services[service]}/no/such/path"), 404)
    assert body["instance"] == "/no/such/path" and "No such path" in body["detail"]


@pytest.mark.parametrize(("service", "method", "path", "allowed"), [
    ("intake", "DELETE", "/v1/reports", "POST"), ("approval", "GET", "/v1/reports/r/decisions", "POST"),
    ("escalation", "POST", "/healthz", "GET"), ("archive", "PUT", "/v1/units", "GET")])
def test_a_method_not_allowed_is_a_problem_naming_the_allowed_ones(
        services: dict[str, str], admin: dict[str, str], service: str, method: str, path: str, allowed: str) -> None:
    answer = httpx.request(method, f"{services[service]}{path}", headers=admin)
    assert_problem(answer, 405)
    assert answer.headers["allow"] == allowed


@pytest.mark.parametrize(("service", "target", "field"), [
    ("intake", "/v1/units/a%00b", "path"),  # a 500 before: PostgreSQL refuses NUL in text
    ("intake", "/v1/units/%ff", "path"),
    ("intake", "/v1/units?x=%zz", "x"),
    ("approval", "/v1/approvals?unit_id=a%00b", "unit_id"),  # a 500 before
    ("approval", "/v1/approvals?unit_id=%ed%a0%80", "unit_id"),  # a lone surrogate, escaped
    ("archive", "/v1/reports/a%00b", "path"),  # a 500 before
    ("archive", "/v1/breaches?incident_id=%c3%28", "incident_id"),
    ("archive", "/v1/breaches?%ff=1", "query"),
    ("escalation", "/healthz?probe=%00", "probe"),
])
def test_an_unreadable_path_or_query_is_refused_naming_it(
        services: dict[str, str], admin: dict[str, str], service: str, target: str, field: str) -> None:
    answer = raw_request(services[service], "GET", target, admin)
    assert_problem(answer, 400, field)


@pytest.mark.parametrize(("body", "status"), [(b"{bad", 422), (b"\xff", 400), (b"\xff\xfe", 422), (b"", 422)])
def test_an_unreadable_body_is_a_problem_naming_the_body(
        services: dict[str, str], admin: dict[str, str], body: bytes, status: int) -> None:
    answer = raw_request(services["approval"], "POST", "/v1/reports/r/decisions", admin, body)
    assert_problem(answer, status, "body")


def test_a_nul_in_a_decisions_comment_is_refused_before_it_is_stored(
        infra: Infra, services: dict[str, str], reporter: dict[str, str]) -> None:
    """It reached approval's tables before: PostgreSQL refused the NUL, and the answer was a 500."""
    answer = httpx.post(f"{services['intake']}/v1/reports", json=report(), headers=reporter, timeout=10)
    assert answer.status_code == 202, answer.text
    report_id = answer.json()["report_id"]
    approver = {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='approver')}"}
    deadline = time.monotonic() + 20
    while report_id not in [i["report_id"] for i in httpx.get(f"{services['approval']}/v1/approvals",
                                                               headers=approver).json()["items"]]:
        assert time.monotonic() < deadline, "the report never reached approval"
        time.sleep(0.2)
    decide = f"{services['approval']}/v1/reports/{report_id}/decisions"
    refused = httpx.post(decide, json={"decision": "reject", "comment": "数字\u0000有误"}, headers=approver)
    assert_problem(refused, 422, "comment")
    taken = httpx.post(decide, json={"decision": "reject", "comment": "数字有误"}, headers=approver)
    assert taken.status_code == 202, taken.text


@pytest.mark.parametrize(("field", "value"), [("department_parent_id", "a\u0000"), ("name", "城关\ud800镇")])
def test_a_unit_with_text_postgresql_cannot_keep_is_refused_naming_the_field(
        services: dict[str, str], admin: dict[str, str], field: str, value: str) -> None:
    """Found by the Schemathesis run: a 500 before (the NUL reached the directory's query)."""
    body = {"name": "城关镇", "level": "town", "kind": "general_office", "parent_id": "county-x-office", field: value}
    answer = httpx.put(f"{services['intake']}/v1/units/town-c-office", content=json.dumps(body),  # \ud800 escaped
                       headers={**admin, "Content-Type": "application/json"})
    assert_problem(answer, 422, field)
