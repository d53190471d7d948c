"""A short, derandomized property-based run (Schemathesis) against every service's own OpenAPI.

For each operation of each service, Hypothesis draws cases that fit the schema (positive) and cases
that do not (negative), sent with a valid token (admin and a reporter of a registered unit, taking
turns) so they get past 401. It must find no 5xx, and every error answer must be problem+json.
Every failing case is collected (not only the first), so the figures printed at the end are whole.
"""

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from tests.conftest import Infra
from tests.integration.problems.conftest import SERVICES

pytestmark = pytest.mark.integration
EXAMPLES = 20  # cases per operation and generation mode
PROBLEM_JSON = "application/problem+json"

#: Operations not run, and why.
NOT_RUN: dict[tuple[str, str, str], str] = {
    ("archive", "GET", "/v1/streams/breaches"): "an endless text/event-stream: a call only ends when the client goes",
}


@dataclass
class Figures:
    """What the run did for one service."""

    cases: int = 0
    operations: int = 0
    failures: list[str] = field(default_factory=list)


def answered_badly(status: int, content_type: str) -> str | None:
    """Why this answer breaks the rule, or None."""
    if status >= 500:
        return f"{status} server error"
    if status >= 400 and content_type != PROBLEM_JSON:
        return f"{status} as {content_type or 'no content type'}"
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
            print(f"\nschemathesis {name}: {f.cases} cases over {f.operations} operations, {len(f.failures)} failing")


@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_is_a_server_error_and_every_error_is_a_problem(
        infra: Infra, services: dict[str, str], figures: dict[str, Figures], service: str) -> None:
    url = services[service]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    tokens = [infra.token(unit=None, role="admin"), infra.token(unit="town-a-office", role="reporter")]
    mine = figures.setdefault(service, Figures())

    def call(case: Case) -> None:
        token = tokens[mine.cases % len(tokens)]
        response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        content_type = response.headers.get("content-type", [""])[0].split(";")[0]
        why = answered_badly(response.status_code, content_type)
        if why is not None:
            answer = response.content[:300].decode("utf-8", "replace")
            mine.failures.append(f"{why}: {case.as_curl_command()}\n    → {answer}")

    for result in schema.get_all_operations():
        operation = result.ok()
        if (service, operation.method.upper(), operation.path) in NOT_RUN:
            continue
        mine.operations += 1
        for mode in GenerationMode:
            run_operation(operation.as_strategy(generation_mode=mode), call, mine)
    assert not mine.failures, f"{len(mine.failures)} of {mine.cases} cases:\n" + "\n".join(mine.failures[:30])
