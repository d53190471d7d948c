"""docs/asyncapi.* are current and document every topic and every event a service publishes, where it goes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from deploy import asyncapi
from services.intake.domain.ingress import dead_letter
from shared.events import EVENT_TYPES
from shared.http import Problem
from shared.producers import PRODUCER_OF
from shared.topics import AGENCY_INGRESS_PREFIX, EVENT_TOPIC, PARTITIONS
from tests.support.asyncapi import documented, payload_validator


def test_the_documents_are_current() -> None:
    as_json, as_yaml = asyncapi.specification()
    assert (asyncapi.DOCS / "asyncapi.json").read_text(encoding="utf-8") == as_json, "run: python -m deploy.asyncapi"
    assert (asyncapi.DOCS / "asyncapi.yaml").read_text(encoding="utf-8") == as_yaml, "run: python -m deploy.asyncapi"


def test_every_event_type_has_a_producer_a_topic_and_a_description() -> None:
    assert set(EVENT_TYPES) == set(PRODUCER_OF) == set(EVENT_TOPIC) == set(asyncapi.EVENTS)


def test_every_topic_has_its_channel() -> None:
    addresses = {c["address"] for c in documented()["channels"].values()}
    assert addresses == {*PARTITIONS, AGENCY_INGRESS_PREFIX + "{unit}"}


def test_every_event_a_service_publishes_has_its_message_on_its_topics_channel() -> None:
    spec = documented()
    channels = {c["address"]: (cid, c) for cid, c in spec["channels"].items()}
    for event_type, producer in PRODUCER_OF.items():
        cid, channel = channels[EVENT_TOPIC[event_type]]
        assert channel["messages"][event_type] == {"$ref": f"#/components/messages/{event_type}"}
        message = spec["components"]["messages"][event_type]
        envelope = spec["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
        assert envelope["properties"]["type"]["const"] == event_type
        assert envelope["properties"]["data"] == {"$ref": f"#/components/schemas/{event_type}"}
        assert message["headers"] == {"$ref": "#/components/schemas/EventHeaders"}
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        sends = spec["operations"][f"{producer}-sends-{cid}"]
        assert sends["action"] == "send"
        assert {"$ref": f"#/channels/{cid}/messages/{event_type}"} in sends["messages"]
    headers = spec["components"]["schemas"]["EventHeaders"]
    assert set(headers["required"]) == {"content-type", "baosong-producer", "baosong-signature"}
    assert not any(name.startswith("ce_") for name in headers["properties"])


def test_a_dead_letter_is_what_the_document_says() -> None:
    error = {"field": "body", "message": "…", "message_en": "…", "type": "json_invalid"}
    letter = dead_letter("baosong.ingress.reports.town-a", 0, 7, b"k", b"\xff", [("baosong-unit", b"town-a")],
                         problem=Problem(422, "Invalid ingress message", "无效 / invalid", [error]),
                         at=datetime(2026, 12, 5, tzinfo=UTC))
    validator = payload_validator(documented(), "IngressMessageRefused")
    assert list(validator.iter_errors(json.loads(letter.to_bytes()))) == []
    assert list(validator.iter_errors({**json.loads(letter.to_bytes()), "type": "ReportSubmitted"})) != []
