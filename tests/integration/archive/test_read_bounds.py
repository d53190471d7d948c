"""The archive's read API refuses times, months and positions it cannot compute with: 422 problem+json
naming the parameter, never a 500."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Infra
from tests.support.services import running_service

pytestmark = pytest.mark.integration

FAR_PAST = "0001-01-01T00:00:00+14:00"  # year 0 in UTC
FAR_FUTURE = "9999-12-31T23:59:59-14:00"  # year 10000 in UTC


@pytest.fixture(scope="module")
def archive(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs: Path = tmp_path_factory.mktemp("archive-logs")
    with running_service(infra, "archive", logs) as url:
        yield url


@pytest.mark.parametrize("path, params, field", [
    ("/v1/incidents/inc-x", {"as_of": FAR_PAST}, "as_of"),
    ("/v1/incidents/inc-x", {"as_of": FAR_FUTURE}, "as_of"),
    ("/v1/reports/rpt-x", {"as_of": FAR_PAST}, "as_of"),
    ("/v1/reports/rpt-x", {"as_of": "1899-12-31T23:00:00+00:00"}, "as_of"),
    ("/v1/breaches", {"since": FAR_FUTURE}, "since"),
    ("/v1/breaches", {"since": FAR_PAST}, "since"),
    ("/v1/stats/units", {"period": "0001-01"}, "period"),
    ("/v1/stats/months", {"until": "0001-01"}, "until"),
    ("/v1/stats/report", {"period": "9999-12"}, "period"),
    ("/v1/streams/breaches", {"after": "9" * 30}, "after"),
    ("/v1/streams/breaches", {"after": "²"}, "after"),
])
def test_a_parameter_outside_what_the_archive_can_compute_is_422_naming_it(
        infra: Infra, archive: str, path: str, params: dict[str, str], field: str) -> None:
    headers = {"Authorization": f"Bearer {infra.token(unit=None, role='investigator')}"}
    r = httpx.get(f"{archive}{path}", params=params, headers=headers, timeout=10)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    [error] = r.json()["errors"]
    assert error["field"] == field and error["message"] and error["message_en"]


def test_a_time_at_the_bounds_is_answered(infra: Infra, archive: str) -> None:
    headers = {"Authorization": f"Bearer {infra.token(unit=None, role='investigator')}"}
    r = httpx.get(f"{archive}/v1/breaches", params={"since": "1900-01-01T00:00:00+00:00"}, headers=headers)
    assert r.status_code == 200, r.text
    r = httpx.get(f"{archive}/v1/stats/months", params={"until": "1900-01", "count": "24"}, headers=headers)
    assert r.status_code == 200, r.text
