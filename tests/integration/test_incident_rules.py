"""Incident rules through the HTTP APIs of intake and archive as real processes on the real broker and
database: a sound unit directory, numbering, closure and reopening, reasons and times after regrading."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("logs")
    with running_service(infra, "intake", logs) as intake, running_service(infra, "archive", logs) as archive:
        yield {"intake": intake, "archive": archive}


def put_unit(services: dict[str, str], infra: Infra, unit_id: str, level: str, parent: str | None,
             department_parent: str | None = None) -> httpx.Response:
    body = {"name": unit_id, "level": level, "kind": "general_office", "parent_id": parent,
            "department_parent_id": department_parent}
    return httpx.put(f"{services['intake']}/v1/units/{unit_id}", json=body, timeout=10,
                     headers={"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"})


def eventually(get: Callable[[], httpx.Response], ok: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        r = get()
        if r.status_code == 200 and ok(r.json()):
            return r.json()  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, r.text
        time.sleep(0.1)


def test_the_directory_refuses_cycles_and_inverted_levels(infra: Infra, services: dict[str, str]) -> None:
    s = uuid.uuid4().hex[:8]
    county, town, village = f"county-{s}", f"town-{s}", f"village-{s}"
    assert put_unit(services, infra, county, "county", None).status_code == 201
    assert put_unit(services, infra, town, "town", county).status_code == 201
    assert put_unit(services, infra, village, "village", town).status_code == 201
    loop = put_unit(services, infra, f"loop1-{s}", "town", f"loop1-{s}")
    assert loop.status_code == 422 and loop.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["type"]) for e in loop.json()["errors"]] == [("parent_id", "cycle")]
    inverted = put_unit(services, infra, county, "county", village)
    assert [(e["field"], e["type"]) for e in inverted.json()["errors"]] == [("parent_id", "cycle"),
                                                                          ("parent_id", "lower_level")]
    under_a_village = put_unit(services, infra, f"county2-{s}", "county", None, department_parent=village)
    assert [(e["field"], e["type"]) for e in under_a_village.json()["errors"]] == [
        ("department_parent_id", "lower_level")]
    school = put_unit(services, infra, f"school-{s}", "organization", village)
    assert school.status_code == 201  # an organization hangs under any level


def test_an_incident_is_numbered_closed_reopened_and_regraded_as_written(infra: Infra,
                                                                        services: dict[str, str]) -> None:
    s = uuid.uuid4().hex[:8]
    county, town = f"county-{s}", f"town-{s}"
    assert put_unit(services, infra, county, "county", None).status_code == 201
    assert put_unit(services, infra, town, "town", county).status_code == 201
    headers = {"Authorization": f"Bearer {infra.token(unit=town, role='reporter')}"}
    base = {"reporting_unit": town, "location": {"unit_id": town, "address": "K12"}}

    def submit(**changes: Any) -> httpx.Response:
        return httpx.post(f"{services['intake']}/v1/reports", json=report(**{**base, **changes}), headers=headers,
                          timeout=10)

    first = submit(occurred_at="2026-11-23T00:05:00Z").json()
    incident = first["incident_id"]
    more = {"kind": "follow_up", "incident_id": incident, "casualties": {"deaths": 12, "injured": 5}}
    regraded = submit(**more).json()
    assert regraded["regraded"] == {"previous_grade": "IV", "grade": "II"}
    final = submit(**{**more, "kind": "final"}).json()
    assert [(a["sequence"], a["label"]) for a in (first, regraded, final)] == [(0, "首报"), (1, "续报一"), (2, "终报")]
    url = f"{services['archive']}/v1/incidents/{incident}"
    closed = eventually(lambda: httpx.get(url, headers=headers), lambda d: len(d["reports"]) == 3)
    assert closed["status"] == "closed"
    assert [(r["sequence"], r["label"]) for r in closed["reports"]] == [(0, "首报"), (1, "续报一"), (2, "终报")]
    assert closed["grade"] == "II" and closed["reasons"] == regraded["reasons"]
    assert any("grade II" in reason for reason in closed["reasons"])
    times = [o[k] for o in closed["obligations"] for k in ("late_at", "missed_at") if o.get(k)]
    assert len(times) >= 2 and all(t.endswith("+08:00") for t in times), times
    the_final = eventually(lambda: httpx.get(f"{services['archive']}/v1/reports/{final['report_id']}",
                                             headers=headers), lambda d: True)
    assert (the_final["sequence"], the_final["label"]) == (2, "终报")

    refused = submit(**more)
    assert refused.status_code == 409 and "已终报" in refused.json()["detail"] and "closed" in refused.json()["detail"]
    reopened = submit(**more, reopen=True, reopen_reason="发现新的遇难者")
    assert reopened.status_code == 202, reopened.text
    assert (reopened.json()["sequence"], reopened.json()["label"]) == (3, "续报三")
    opened = eventually(lambda: httpx.get(url, headers=headers), lambda d: len(d["reports"]) == 4)
    assert opened["status"] == "open"
    assert [r["reason"] for r in opened["reopenings"]] == ["发现新的遇难者"]
