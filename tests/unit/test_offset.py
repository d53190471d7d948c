"""Every time an API answers is stated at +08:00 (``shared.offset.china_times``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from shared.http import Answer
from shared.offset import china_times


def test_times_under_time_names_and_datetimes_are_restated_and_nothing_else() -> None:
    doc = {"received_at": "2026-11-23T00:05:00Z", "time": "2026-11-23T00:05:00+00:00",
           "nested": [{"late_at": "2026-11-23T02:05:00+08:00", "at": datetime(2026, 11, 23, 1, tzinfo=UTC)}],
           "title": "2026-11-23T00:05:00Z", "due_at": None, "happened_on": "2026-11-23", "detected_at": "soon"}
    assert china_times(doc) == {
        "received_at": "2026-11-23T08:05:00+08:00", "time": "2026-11-23T08:05:00+08:00",
        "nested": [{"late_at": "2026-11-23T02:05:00+08:00", "at": "2026-11-23T09:00:00+08:00"}],
        "title": "2026-11-23T00:05:00Z", "due_at": None, "happened_on": "2026-11-23", "detected_at": "soon"}


def test_a_signed_document_is_left_as_it_was_signed() -> None:
    receipt = {"id": "r", "received_at": "2026-11-23T00:05:00+00:00", "signature": "…"}
    assert china_times({"receipt": receipt})["receipt"] == receipt


def test_every_json_answer_restates_its_times() -> None:
    body = json.loads(Answer({"recorded_at": "2026-11-23T00:05:00Z"}).body)
    assert body == {"recorded_at": "2026-11-23T08:05:00+08:00"}
