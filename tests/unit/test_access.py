"""Classification and clearance (shared.access): the order, who may read, and what a stub keeps."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.access import LEVELS, highest, may_read, shown, withhold
from tests.support.reports import report

ORDER = ("public", "internal", "secret", "confidential", "top_secret")  # the contract's words, in its order


def test_levels_are_the_contracts_in_its_order() -> None:
    assert LEVELS == ORDER


@pytest.mark.parametrize(("clearance", "classification"), list(itertools.product(ORDER, ORDER)))
def test_a_reader_reads_up_to_its_clearance(clearance: str, classification: str) -> None:
    assert may_read(clearance, classification) == (ORDER.index(clearance) >= ORDER.index(classification))


def test_no_classification_is_internal_and_an_unknown_one_is_the_highest() -> None:
    assert may_read("internal", None) and not may_read("public", None)
    assert not may_read("confidential", "绝密") and may_read("top_secret", "绝密")
    assert highest([]) == "internal" and highest(["public", "secret", None]) == "secret"


def test_the_stub_keeps_ids_units_times_grade_and_level_only() -> None:
    doc = {**report(title="某绝密事件", classification="secret"), "report_id": "rpt-1", "incident_id": "inc-1",
           "received_at": "2026-11-23T09:00:00+08:00", "grade": "III", "forwarded_to": ["county-x-office"],
           "reasons": ["死亡1人"], "status": "forwarded"}
    stub = withhold(doc)
    assert stub == {"reporting_unit": "town-a-office", "occurred_at": "2026-11-23T08:05:00+08:00",
                    "discovered_at": None, "incident_id": "inc-1", "location": {"unit_id": "town-a-office"},
                    "classification": "secret", "report_id": "rpt-1", "received_at": "2026-11-23T09:00:00+08:00",
                    "grade": "III", "forwarded_to": ["county-x-office"], "withheld": True}
    assert shown(doc, "secret") == doc and shown(doc, "internal") == stub


@given(st.dictionaries(st.text(max_size=12).filter(lambda k: k != "classification"),
                       st.text(max_size=12) | st.integers(), max_size=8), st.sampled_from(ORDER))
def test_a_stub_never_holds_a_key_but_ids_units_times_grade_and_level(doc: dict[str, object], level: str) -> None:
    stub = withhold(doc, level)
    assert stub["withheld"] is True and stub["classification"] == level
    for key in set(stub) - {"withheld", "classification", "grade", "forwarded_to", "acknowledged_by", "location"}:
        assert key.endswith(("_id", "_at", "_unit", "_units")), key
