"""The scope matrix: role × unit (own, subordinate, superior, other) × action (decide, receipt, view queue).

A grade IV report signed in the town waits in the county's queue; the county is "own", the town that
sent it "subordinate", the prefecture "superior" (not reached yet), a sibling town "other".
"""

from __future__ import annotations

import itertools

import pytest

from tests.integration.approval.support import Stack, Topology, submitted

pytestmark = pytest.mark.integration

ROLES = ("reporter", "approver", "principal", "duty_officer", "investigator", "admin")
RELATIONS = ("own", "subordinate", "superior", "other")


def expected(action: str, role: str, relation: str) -> int:
    """The rules, written out: what each caller may do with the report waiting in the county."""
    unit_bound = role != "admin"  # admin tokens carry no unit
    if action == "decide":
        if role not in ("approver", "principal"):
            return 403
        # the town's own entry of the report is signed already: deciding again there is deciding twice
        return {"own": 202, "subordinate": 409}.get(relation, 403)
    if action == "receipt":
        return 202 if unit_bound and relation == "own" else 403
    return 200 if relation == "own" or role in ("investigator", "admin") else 403  # view the county's queue


@pytest.fixture(scope="module")
async def waiting(stack: Stack) -> tuple[Topology, dict[str, str], str]:
    """The units, and one report waiting in the county shared by every case that cannot change it."""
    t = Topology.fresh()
    await stack.publish_units(t)
    units = {"own": t.county, "subordinate": t.town, "superior": t.prefecture, "other": t.other_town}
    return t, units, await report_at_county(stack, t)


async def report_at_county(stack: Stack, t: Topology) -> str:
    report_id = await stack.submit(submitted(t.town, grade="IV"))
    await stack.wait_in_queue(t.town, report_id)
    assert (await stack.decide(report_id, t.town, "approver")).status_code == 202
    await stack.wait_in_queue(t.county, report_id)
    return report_id


@pytest.mark.parametrize(("action", "role", "relation"),
                         list(itertools.product(("decide", "receipt", "view"), ROLES, RELATIONS)))
async def test_scope(stack: Stack, waiting: tuple[Topology, dict[str, str], str], action: str, role: str,
                     relation: str) -> None:
    t, units, shared_report = waiting
    unit = None if role == "admin" else units[relation]
    changes_state = action == "decide" and expected(action, role, relation) == 202
    report_id = await report_at_county(stack, t) if changes_state else shared_report
    if action == "decide":
        got = await stack.decide(report_id, unit, role, comment="同意")
    elif action == "receipt":
        got = await stack.receipt(report_id, unit, role)
    else:
        got = await stack.get("/v1/approvals", unit, role, unit_id=t.county)
    assert got.status_code == expected(action, role, relation), got.text
    if got.status_code >= 400:
        assert got.headers["content-type"] == "application/problem+json"
    if action == "decide":
        item = await stack.item(t.county, report_id)
        assert (item is None or item["state"] != "pending") == (got.status_code == 202)
    if action == "view" and got.status_code == 200:
        assert report_id in [i["report_id"] for i in got.json()["items"]]


async def test_unknown_report_and_missing_token(stack: Stack, waiting: tuple[Topology, dict[str, str], str]) -> None:
    t, _, _ = waiting
    r = await stack.decide("rpt-nowhere", t.county, "approver")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await stack.receipt("rpt-nowhere", t.county, "approver")).status_code == 404
    assert (await stack.post("/v1/reports/rpt-nowhere/decisions", None, "", {"decision": "approve"})).status_code \
        == 401
    assert (await stack.get("/v1/approvals", None, "")).status_code == 401
    bad = await stack.post("/v1/reports/rpt-nowhere/decisions", t.county, "approver", {"decision": "maybe"})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["decision"]
