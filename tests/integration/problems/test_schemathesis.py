"""A short, derandomized property-based run (Schemathesis) against every service's own OpenAPI.

For each operation of each service, Hypothesis draws cases that fit the schema (positive) and cases
that do not (negative), sent with a valid token (admin and a reporter of a registered unit, taking
turns) so they get past 401. It must find no 5xx, every error answer must be problem+json, and each
answer's status, content type and body must be the ones the document declares. ``derandomize`` makes
Hypothesis draw the same cases on every run (its seed comes from the test's code, not the clock).
Every failing case is collected (not only the first), so the figures printed at the end are whole.

A drawn report is sent as the reporter's own (``reporting_unit`` and ``location.unit_id`` set to the
token's unit), and so is a drawn work-information item (``reporting_unit``), so the reports and items
that fit the schema get through intake's checks and are published: the consumers downstream must take
whatever intake accepts without stalling (the fault tests check what follows them).
"""

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Infra
from tests.integration.problems.conftest import SERVICES

pytestmark = pytest.mark.integration
EXAMPLES = 40  # cases per operation and generation mode
REPORTER_UNIT = "town-a-office"
OCCURRED_AT = "2026-11-23T08:05:00+08:00"
HAPPENED_ON = "2026-11-23"
PROBLEM_JSON = "application/problem+json"
#: Schemathesis's own checks: no 5xx, and each answer's status, content type and body as the document declares.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

#: Operations not run, and why.
NOT_RUN: dict[tuple[str, str, str], str] = {
    ("archive", "GET", "/v1/streams/breaches"): "an endless text/event-stream: a call only ends when the client goes",
}


@dataclass
class Figures:
    """What the run did for one service."""

    cases: int = 0
    operations: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)


def not_a_problem(status: int, content_type: str, content: bytes) -> str | None:
    """Why this error answer is not problem+json, or None."""
    if status < 400:
        return None
    if content_type != PROBLEM_JSON:
        return f"{status} answered as {content_type or 'no content type'}"
    if json.loads(content).get("status") != status:
        return f"{status} answered with another status in its body"
    return None


def run_operation(case_strategy: Any, call: Any, figures: Figures) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case_strategy)
    def send(case: Case) -> None:
        figures.cases += 1
        call(case)

    with suppress(Unsatisfiable):  # nothing can be made negative: e.g. /healthz takes no parameter and no body
        send()


@pytest.fixture(scope="module")
def figures(request: pytest.FixtureRequest) -> Iterator[dict[str, Figures]]:
    """Per service; printed on the terminal (past output capture) when the module is done."""
    per_service: dict[str, Figures] = {}
    yield per_service
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        for name, f in per_service.items():
            print(f"\nschemathesis {name}: {f.cases} cases over {f.operations} operations in {f.seconds:.1f} s,"
                  f" {len(f.failures)} failing; answers: {dict(sorted(f.statuses.items()))}")


@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_is_a_server_error_and_every_error_is_a_problem(
        infra: Infra, services: dict[str, str], figures: dict[str, Figures], service: str) -> None:
    url = services[service]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    tokens = [infra.token(unit=None, role="admin"), infra.token(unit=REPORTER_UNIT, role="reporter")]
    mine = figures.setdefault(service, Figures())

    def call(case: Case) -> None:
        token = tokens[mine.cases % len(tokens)]
        if case.operation.path == "/v1/reports" and isinstance(case.body, dict):
            token = tokens[1]  # the reporter, filing for its own unit: drawn reports can be accepted
            case.body["reporting_unit"] = REPORTER_UNIT
            if isinstance(case.body.get("location"), dict):
                case.body["location"]["unit_id"] = REPORTER_UNIT
            if mine.cases % 2:  # an initial report with a code and a time the rules take
                case.body.update(kind="initial", incident_id=None, category="accident.road_traffic",
                                 occurred_at=OCCURRED_AT, discovered_at=None)
        if case.operation.path == "/v1/items" and isinstance(case.body, dict):
            token = tokens[1]  # the reporter, writing for its own unit: drawn items can be accepted
            case.body["reporting_unit"] = REPORTER_UNIT
            if mine.cases % 2:  # a day that is not in the future
                case.body["happened_on"] = HAPPENED_ON
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(base_url=url, headers=headers, timeout=30)
        content_type = response.headers.get("content-type", [""])[0].split(";")[0]
        mine.statuses[f"{case.operation.label} {response.status_code}"] += 1
        found = [why] if (why := not_a_problem(response.status_code, content_type, response.content)) else []
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            found += [failure.title for failure in group.exceptions]
        if found:
            answer = response.content[:300].decode("utf-8", "replace")
            mine.failures.append(f"{'; '.join(found)}: {case.as_curl_command()}\n    → {response.status_code} {answer}")

    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (service, operation.method.upper(), operation.path) in NOT_RUN:
            continue
        mine.operations += 1
        for mode in GenerationMode:
            run_operation(operation.as_strategy(generation_mode=mode), call, mine)
    mine.seconds = time.monotonic() - started
    assert not mine.failures, f"{len(mine.failures)} of {mine.cases} cases:\n" + "\n".join(mine.failures[:30])
