"""Scope of writing through intake's API: a report outside the unit's scope is 403 and publishes nothing."""

from __future__ import annotations

from typing import Any

from shared.topics import REPORTS
from tests.unit.intake.conftest import App


def located(app: App, unit: str, where: str, **changes: Any) -> dict[str, Any]:
    return app.report(reporting_unit=app.u(unit), location={"unit_id": app.u(where), "address": ""}, **changes)


def refused(r: Any, app: App) -> bool:
    body = r.json()
    return (r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
            and " / " in body["detail"] and app.published[REPORTS] == [])


async def test_an_initial_report_located_above_or_beside_the_unit_is_403_and_publishes_nothing(app: App) -> None:
    assert refused(await app.submit(located(app, "town-a-office", "county-x-office")), app)
    assert refused(await app.submit(located(app, "town-a-office", "town-b-office")), app)


async def test_a_unit_reports_what_happened_in_it_or_below_it(app: App) -> None:
    assert (await app.submit(located(app, "town-a-office", "town-a-office"))).status_code == 202
    r = await app.submit(located(app, "county-x-office", "town-a-office"), unit=app.u("county-x-office"))
    assert r.status_code == 202, r.text


async def test_a_follow_up_only_on_an_incident_the_unit_is_party_to(app: App) -> None:
    first = await app.submit(located(app, "town-a-office", "town-a-office"))
    incident = first.json()["incident_id"]
    app.published[REPORTS].clear()
    beside = located(app, "town-b-office", "town-b-office", kind="follow_up", incident_id=incident)
    assert refused(await app.submit(beside, unit=app.u("town-b-office")), app)
    above = located(app, "county-x-office", "town-a-office", kind="follow_up", incident_id=incident)
    assert (await app.submit(above, unit=app.u("county-x-office"))).status_code == 202
    own = located(app, "town-a-office", "town-a-office", kind="final", incident_id=incident)
    assert (await app.submit(own)).status_code == 202


async def test_a_unit_that_reported_an_incident_stays_party_to_it_when_the_tree_changes(app: App) -> None:
    first = await app.submit(located(app, "town-a-office", "town-a-office"))
    incident = first.json()["incident_id"]
    county = app.u("county-x-office")
    follow = located(app, "county-x-office", "town-a-office", kind="follow_up", incident_id=incident)
    assert (await app.submit(follow, unit=county, key="first")).status_code == 202
    moved = await app.put_unit(app.u("town-a-office"), name="城关镇党政办", level="town", kind="general_office")
    assert moved.status_code == 200, moved.text
    assert (await app.submit(follow, unit=county, key="again")).status_code == 202  # it reported before
    app.published[REPORTS].clear()
    other = app.u("county-y-office")
    assert (await app.put_unit(other, name="邻县委办", level="county", kind="general_office")).status_code == 201
    never = located(app, "county-y-office", "town-a-office", kind="follow_up", incident_id=incident)
    assert refused(await app.submit(never, unit=other), app)
