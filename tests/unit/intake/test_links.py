"""Linking two incidents (pure): which pairs are refused, and the events of a link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.domain.links import link_id_for, linked_events, refuse_chain, refuse_pair
from shared.events import IncidentsLinked
from shared.http import Problem


def status(call: object) -> tuple[int, list[str]]:
    assert callable(call)
    with pytest.raises(Problem) as caught:
        call()
    return caught.value.status, [e["field"] for e in caught.value.errors]


def test_unknown_and_identical_incidents_are_refused_naming_the_field() -> None:
    assert status(lambda: refuse_pair("a", "b", primary_known=False, duplicate_known=True)) == (404, [])
    assert status(lambda: refuse_pair("a", "a", primary_known=True, duplicate_known=True)) == (422, ["duplicate_id"])
    assert status(lambda: refuse_pair("a", "b", primary_known=True, duplicate_known=False)) == (422, ["duplicate_id"])
    refuse_pair("a", "b", primary_known=True, duplicate_known=True)


def test_links_stay_one_level_deep_and_a_duplicate_has_one_primary() -> None:
    def chain(**facts: object) -> tuple[int, list[str]]:
        base: dict[str, object] = {"primary_of_primary": None, "primary_of_duplicate": None,
                                   "duplicates_of_duplicate": 0}
        return status(lambda: refuse_chain("a", "b", **{**base, **facts}))  # type: ignore[arg-type]

    assert chain(primary_of_duplicate="c") == (409, ["duplicate_id"])
    assert chain(primary_of_primary="c") == (409, ["incident_id"])
    assert chain(duplicates_of_duplicate=1) == (409, ["duplicate_id"])
    refuse_chain("a", "b", primary_of_primary=None, primary_of_duplicate="a", duplicates_of_duplicate=0)  # a retry


def test_a_link_is_one_event_on_each_incidents_stream_with_derived_ids() -> None:
    at = datetime(2026, 11, 23, tzinfo=UTC)
    events = linked_events(primary_id="a", duplicate_id="b", reason="同一事件", actor="duty", unit_id="c", at=at)
    assert [(e.partitionkey, e.data["incident_id"]) for e in events] == [("a", "a"), ("b", "b")]
    assert all(IncidentsLinked.model_validate(e.data).link_id == link_id_for("a", "b") for e in events)
    again = linked_events(primary_id="a", duplicate_id="b", reason="同一事件", actor="duty", unit_id="c", at=at)
    assert [e.id for e in events] == [e.id for e in again] and len({e.id for e in events}) == 2
