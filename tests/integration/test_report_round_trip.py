"""intake → Kafka → archive with both services as real processes on the real broker and database."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service
from tests.support.units import register_units

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("logs")
    with running_service(infra, "intake", logs) as intake, running_service(infra, "archive", logs) as archive:
        register_units(intake, infra.token(unit=None, role="admin"))
        yield {"intake": intake, "archive": archive}


def test_submitted_report_is_readable_from_the_archive(infra: Infra, services: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='reporter')}"}
    answer = httpx.post(f"{services['intake']}/v1/reports", json=report(), headers=headers, timeout=10)
    assert answer.status_code == 202, answer.text
    report_id = answer.json()["report_id"]
    deadline = time.monotonic() + 10
    while True:
        got = httpx.get(f"{services['archive']}/v1/reports/{report_id}", headers=headers, timeout=5)
        if got.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert got.status_code == 200, got.text
    state = got.json()
    assert state["status"] == "pending_approval"
    assert state["title"] == "城关镇307国道两车相撞"
    assert state["incident_id"] == answer.json()["incident_id"]


def test_archive_scopes_reads_to_the_callers_unit(infra: Infra, services: dict[str, str]) -> None:
    own = {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='reporter')}"}
    answer = httpx.post(f"{services['intake']}/v1/reports", json=report(), headers=own, timeout=10)
    report_id = answer.json()["report_id"]
    other = {"Authorization": f"Bearer {infra.token(unit='town-b-office', role='reporter')}"}
    deadline = time.monotonic() + 10
    while httpx.get(f"{services['archive']}/v1/reports/{report_id}", headers=own).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert httpx.get(f"{services['archive']}/v1/reports/{report_id}", headers=other).status_code == 403
    investigator = {"Authorization": f"Bearer {infra.token(unit=None, role='investigator')}"}
    assert httpx.get(f"{services['archive']}/v1/reports/{report_id}", headers=investigator).status_code == 200
