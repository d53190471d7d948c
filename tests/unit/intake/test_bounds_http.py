"""Intake's HTTP door refuses what nothing downstream could store: 422 problem+json naming the field, nothing
published, nothing stored; a valid report after it is accepted as ever."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.intake.domain.bounds import MAX_BODY_BYTES
from shared.topics import REPORTS, UNITS
from tests.unit.intake.conftest import App

POISON: list[tuple[str, dict[str, Any], str]] = [
    ("nul in the title", {"title": "a\u0000b"}, "title"),
    ("lone surrogate in the summary", {"summary": "两车\ud800相撞"}, "summary"),
    ("nul in an impact key", {"impact": {"rooms\u0000": 1}}, "impact.rooms\\u0000"),
    ("surrogate in the contact", {"contact": {"name": "\udfff", "phone": ""}}, "contact.name"),
    ("surrogate in the reporting unit", {"reporting_unit": "\ud800"}, "reporting_unit"),
    ("year 1", {"occurred_at": "0001-01-01T00:00:00Z"}, "occurred_at"),
    ("year 1 pushed to year 0 by the offset", {"occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ("year 9999 pushed to 10000", {"discovered_at": "9999-12-31T23:59:59-14:00"}, "discovered_at"),
    ("deaths of 10^30", {"casualties": {"deaths": 10**30}}, "casualties.deaths"),
    ("losses of 10^40", {"economic_loss_cny": 10**40}, "economic_loss_cny"),
    ("a continent of crops lost", {"impact": {"crop_lost_mu": 10**15}}, "impact"),
]


async def post_raw(app: App, content: bytes, **headers: str) -> Any:
    return await app.client.post("/v1/reports", content=content, headers={
        **app.auth(app.u("town-a-office")), "content-type": "application/json", **headers})


def as_bytes(body: Any) -> bytes:
    return json.dumps(body).encode()  # ASCII: a lone surrogate travels as its \\uXXXX escape


async def assert_refused(app: App, r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(e["message"] and e["message_en"] for e in errors)
    assert app.published[REPORTS] == []


@pytest.mark.parametrize("name, changes, field", POISON, ids=[p[0] for p in POISON])
async def test_poison_report_is_422_naming_the_field_and_the_next_report_is_accepted(
        app: App, name: str, changes: dict[str, Any], field: str) -> None:
    await assert_refused(app, await post_raw(app, as_bytes(app.report(**changes)), **{"idempotency-key": name}),
                         field)
    again = await post_raw(app, as_bytes(app.report(**changes)), **{"idempotency-key": name})
    assert again.status_code == 422  # nothing was kept under the key
    ok = await post_raw(app, as_bytes(app.report()))
    assert ok.status_code == 202, ok.text
    assert len(app.published[REPORTS]) == 1


@pytest.mark.parametrize("levels", [50_000, 100_000])
async def test_deep_nesting_is_422_naming_the_body(app: App, levels: int) -> None:
    await assert_refused(app, await post_raw(app, b"[" * levels + b"]" * levels), "body")
    nested = app.report(impact={"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}})
    await assert_refused(app, await post_raw(app, as_bytes(nested)), "impact.a.b.c.d.e.f.g")


async def test_a_body_over_the_limit_is_422_before_it_is_parsed(app: App) -> None:
    huge = as_bytes(app.report(summary="x" * MAX_BODY_BYTES))
    r = await post_raw(app, huge)
    await assert_refused(app, r, "body")
    assert r.json()["errors"][0]["type"] == "too_large"


@pytest.mark.parametrize("key, kind", [("k\u0000", "forbidden_character"), ("k" * 201, "string_too_long")])
async def test_an_idempotency_key_that_cannot_be_stored_is_422(app: App, key: str, kind: str) -> None:
    r = await post_raw(app, as_bytes(app.report()), **{"idempotency-key": key})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    [error] = r.json()["errors"]
    assert "idempotency-key" in error["field"].lower() and error["type"] == kind
    assert app.published[REPORTS] == []


async def test_a_unit_that_cannot_be_stored_is_422_naming_the_field(app: App) -> None:
    admin = app.auth(None, "admin")
    body = {"name": "东村\u0000村委会", "level": "village", "kind": "general_office",
            "parent_id": app.u("town-a-office")}
    r = await app.client.put(f"/v1/units/{app.u('v1')}", content=as_bytes(body), headers=admin)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["name"]
    r = await app.client.put(f"/v1/units/{app.u('v1')}", content=as_bytes({**body, "name": "东村",
                                                                           "parent_id": "\ud800"}), headers=admin)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["parent_id"]
    r = await app.client.put(f"/v1/units/{app.u('v1')}", content=as_bytes({**body, "name": "东村",
                                                                           "parent_id": "p" * 101}), headers=admin)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["parent_id"]
    # a NUL in the path cannot even be read (400, before routing); a path id too long is 422
    for path, status in ((f"/v1/units/a%00b-{app.suffix}", 400), ("/v1/units/" + "u" * 101, 422)):
        r = await app.client.put(path, content=as_bytes({**body, "name": "东村"}), headers=admin)
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        got = await app.client.get(path, headers=admin)
        assert got.status_code == status, got.text
    assert app.published[UNITS] == []
