"""Baosong's AsyncAPI 3.1 document: every topic, every event on it, each record's headers and key.

``python -m deploy.asyncapi`` rewrites ``docs/asyncapi.json`` and ``docs/asyncapi.yaml`` from the wire
models (``shared.events``, ``shared.envelope``, ``shared.report``), the topics (``shared.topics``) and who
makes each event (``shared.producers``); ``tests/unit/test_asyncapi.py`` fails when they differ, and
``tests/integration/test_asyncapi_parser.py`` holds them to the official AsyncAPI parser.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.intake.domain.ingress import ACTOR_HEADER, COMMAND_TYPE, ID_HEADER, UNIT_HEADER
from shared.envelope import CONTENT_TYPE, Envelope
from shared.events import EVENT_TYPES
from shared.producers import PRODUCER_HEADER, PRODUCER_OF, SERVICES, SIGNATURE_HEADER
from shared.report import Report
from shared.topics import (
    AGENCY_INGRESS_PREFIX,
    AUDIT,
    BREACHES,
    DEADLINES,
    EVENT_TOPIC,
    INGRESS,
    INGRESS_DEAD_LETTER,
    ITEMS,
    PARTITIONS,
    REPORTS,
    UNITS,
)

DOCS: Final = Path(__file__).resolve().parents[1] / "docs"
KAFKA_BINDING: Final = "0.5.0"
SCHEMAS: Final = "#/components/schemas/"


@dataclass(frozen=True)
class Channel:
    id: str
    address: str
    title: str
    description: str
    key: str  # what the record's key is


CHANNELS: Final = (
    Channel("reports", REPORTS, "报告与签批 / Reports and sign-off",
            "Every fact of a report's life: received and classified, regraded, signed off or sent back, forwarded "
            "up the chain, acknowledged, a written report owed; an incident reopened, two incidents linked as one. "
            "One partition per incident keeps its order.",
            "The incident id (the envelope's `partitionkey` and `subject`)."),
    Channel("items", ITEMS, "信息与约稿 / Work information and requests",
            "Every fact of a work-information item's life: submitted, signed off or sent back, sent up and forwarded "
            "(转报), acknowledged, adopted into a publication (采用), a leader's instruction (批示); and commissioned "
            "requests (约稿).",
            "The item id, or the request id for RequestIssued (the envelope's `partitionkey` and `subject`)."),
    Channel("units", UNITS, "单位目录 / Unit directory",
            "Units registered or changed (`PUT /v1/units/{unit_id}`); every service builds its unit tree from these.",
            "The unit id (the envelope's `partitionkey` and `subject`)."),
    Channel("deadlines", DEADLINES, "期限提醒 / Deadline reminders",
            "Reminders from the deadline clocks: a share of an obligation's time has passed, a follow-up is due; "
            "a unit ended a period short of its information quota (QuotaMissed).",
            "The incident id; the unit id for QuotaMissed (the envelope's `partitionkey` and `subject`)."),
    Channel("breaches", BREACHES, "迟报与漏报 / Breaches",
            "A reporting obligation's limit passed: late (迟报) or missed (漏报), with evidence of suspected "
            "concealment (瞒报); an item sent late, a commissioned request missed (request_missed); a breach "
            "superseded when its incident was linked to another as a duplicate, or acknowledged by a duty officer "
            "(已知悉).",
            "The incident, item or request id (the envelope's `partitionkey` and `subject`)."),
    Channel("audit", AUDIT, "链头 / Chain heads",
            "The archive's signed hash-chain heads, for an outside party to keep and hold the store to.",
            "`archive`."),
    Channel("ingress", INGRESS, "共享报告入口 / Shared report ingress",
            "Reports submitted over Kafka: the same validation, classification and idempotency as "
            "`POST /v1/reports`. Only the operator's super user may write this topic; agencies write their own.",
            "Any; the agency's incident id keeps one incident's reports in order."),
    Channel("agency-ingress", AGENCY_INGRESS_PREFIX + "{unit}", "单位报告入口 / An agency's report ingress",
            "Each agency's own topic (`./baosong kafka-user --unit UNIT`): only its Kafka user may write it, and "
            "intake takes from it only reports of that unit (else the dead-letter topic, status 403).",
            "Any; the agency's incident id keeps one incident's reports in order."),
    Channel("ingress-dead-letters", INGRESS_DEAD_LETTER, "死信 / Refused ingress messages",
            "Every ingress message intake refused, with the reasons (as the HTTP answer would give them) and the "
            "original bytes; its offset is committed, so it is neither lost nor retried.",
            "The refused message's key, or the dead letter's id when it had none."),
)

#: Title and summary of each event type (the data's schema is its model in shared.events).
EVENTS: Final[dict[str, tuple[str, str]]] = {
    "ReportSubmitted": ("报告已受理 / Report submitted",
                        "A report was received, validated and classified: grade, reasons, policy pack, and the "
                        "reporting obligations it opens."),
    "IncidentRegraded": ("事件定级变更 / Incident regraded",
                         "A follow-up's figures moved the incident to another grade (new obligations, new route)."),
    "IncidentReopened": ("事件重新打开 / Incident reopened",
                         "A report on a closed incident reopened it, with its reason; the report follows."),
    "IncidentsLinked": ("事件合并 / Incidents linked",
                        "A duty officer linked two incidents as one: once on each incident's stream. The duplicate's "
                        "obligations become the primary's; its breaches are superseded."),
    "ReportApproved": ("签批通过 / Report approved",
                       "A leader of the unit signed the report off; `final` when this releases it from the unit."),
    "ReportRejected": ("退回 / Report rejected", "A leader of the unit sent the report back, with a comment."),
    "ReportForwarded": ("已转报 / Report forwarded",
                        "The report went up to the next unit, on the main or the functional (department) channel, "
                        "or as a level-skip notice."),
    "ReportAcknowledged": ("已签收 / Report acknowledged", "The receiving unit acknowledged the report (回执)."),
    "WrittenReportOwed": ("欠书面报告 / Written report owed",
                          "A phone report was forwarded at once; the unit still owes the written report."),
    "UnitRegistered": ("单位登记 / Unit registered", "A unit was registered or changed."),
    "DeadlineApproaching": ("期限临近 / Deadline approaching",
                            "A share of an open obligation's time (e.g. 50 %, 80 %) has passed: act before the "
                            "breach."),
    "StepOverdue": ("审签步骤超时提醒 / Sign-off step overdue",
                    "A sign-off step (section head, leader in charge, principal …) has held a report longer than "
                    "its pack's `hold`: a reminder to that step, before any deadline is breached."),
    "FollowUpDue": ("应续报 / Follow-up due", "A follow-up report (续报) is due for an incident not yet closed."),
    "DeadlineBreached": ("迟报/漏报 / Deadline breached",
                         "An obligation's limit passed: `late` or `missed`, with evidence, whether concealment "
                         "is suspected, and `responsible` (责任倒查): the unit, the drafter, the sign-off steps "
                         "decided and the step that held the report when the deadline passed."),
    "BreachSuperseded": ("违规被取代 / Breach superseded",
                         "A breach raised on an incident later linked as a duplicate: kept, but superseded by the "
                         "primary incident's obligations."),
    "BreachAcknowledged": ("告警已知悉 / Breach acknowledged",
                           "A duty officer of the breached unit or above acknowledged a breach (已知悉): who, their "
                           "unit, when. Once per breach; the first stands."),
    "ChainHeadPublished": ("链头发布 / Chain head published",
                           "The archive's hash-chain head: position, hash, Ed25519 signature."),
    "IngressMessageRefused": ("报告被拒收 / Ingress message refused",
                              "An ingress message intake refused (a dead letter): status, reasons, where it was, "
                              "and its original bytes and headers (base64)."),
    "ItemSubmitted": ("信息已受理 / Item submitted",
                      "A unit's information officer submitted a work-information item: the item, its information "
                      "pack and when it is due out of the unit."),
    "ItemApproved": ("信息签发 / Item approved",
                     "A leader of the writing unit signed the item off; `final` when this sends it out of the unit."),
    "ItemRejected": ("信息退回 / Item rejected", "A leader of the writing unit sent the item back, with a comment."),
    "ItemForwarded": ("信息报送/转报 / Item forwarded",
                      "The item reached a unit: sent up after sign-off, or forwarded on by an editor (转报)."),
    "ItemAcknowledged": ("信息签收 / Item acknowledged", "A unit the item reached confirmed receipt (回执)."),
    "ItemAdopted": ("信息采用 / Item adopted",
                    "An editor adopted the item into an issue of their unit's publication (采用); points by the "
                    "publication's level go to the writing unit."),
    "InstructionGiven": ("领导批示 / Instruction given",
                         "A leader's written instruction (批示) on an item, with its level: bonus points."),
    "RequestIssued": ("约稿 / Request issued",
                      "An editor commissioned items from named units on a topic, due by a time."),
    "QuotaMissed": ("未完成定额 / Quota missed",
                    "At a period's end a unit had fewer approved items than its information pack's quota."),
}


def _schemas() -> dict[str, Any]:
    """Every wire model's JSON Schema, references pointing into ``components/schemas``."""
    models: list[type[BaseModel]] = [Envelope, Report, *EVENT_TYPES.values()]
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=SCHEMAS + "{model}")
    schemas: dict[str, Any] = top["$defs"]
    envelope = schemas["Envelope"]
    for name in EVENT_TYPES:
        schemas[f"{name}Event"] = _envelope_of(envelope, name, f"{name} as a CloudEvent", {"$ref": SCHEMAS + name})
    command = _envelope_of(envelope, COMMAND_TYPE, "A report as a CloudEvent", {"$ref": SCHEMAS + "Report"})
    command["properties"]["id"]["description"] = "The message id: the submission's idempotency key."
    command["properties"]["actorunit"] = {"type": "string", "description": "The reporting unit."}
    command["required"] = [*command["required"], "actorunit"]
    schemas[f"{COMMAND_TYPE}Command"] = command
    schemas["EventHeaders"] = _event_headers()
    schemas["IngressHeaders"] = _ingress_headers()
    return dict(sorted(schemas.items()))


def _envelope_of(envelope: dict[str, Any], event_type: str, title: str, data: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(envelope)
    schema["title"] = title
    schema["properties"]["type"] = {"const": event_type, "type": "string"}
    schema["properties"]["data"] = data
    return schema


def _event_headers() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Every event record is a CloudEvent in structured mode (the whole envelope is the value; "
                       "no `ce_` headers) and carries its producer's Ed25519 signature of the value.",
        "properties": {
            "content-type": {"const": CONTENT_TYPE, "type": "string"},
            PRODUCER_HEADER: {"enum": [s for s in SERVICES if s in PRODUCER_OF.values()], "type": "string",
                              "description": "The service that made the event; each event type has exactly one."},
            SIGNATURE_HEADER: {"type": "string", "contentEncoding": "base64",
                               "description": "Ed25519 signature of the record's value by the producer's key "
                                              "(standard base64). Consumers refuse a record whose producer may not "
                                              "make its type, or whose signature is not that producer's."},
            "correlation_id": {"type": "string",
                               "description": "Added by the Kafka client of some services: a random id, not the "
                                              "envelope's `correlationid`; readers ignore it."},
        },
        "required": ["content-type", PRODUCER_HEADER, SIGNATURE_HEADER],
    }


def _ingress_headers() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Headers of a report sent as plain JSON (a SubmitReport envelope needs none).",
        "properties": {
            UNIT_HEADER: {"type": "string", "maxLength": 200,
                          "description": "The reporting unit: must equal the report's `reporting_unit` (and, on an "
                                         "agency's topic, the topic's unit)."},
            ACTOR_HEADER: {"type": "string", "maxLength": 200, "description": "The person reporting."},
            ID_HEADER: {"type": "string", "maxLength": 200,
                        "description": "The message id = idempotency key; without it, topic:partition:offset."},
        },
        "required": [UNIT_HEADER],
    }


def _key(description: str) -> dict[str, Any]:
    return {"kafka": {"key": {"type": "string", "description": description}, "bindingVersion": KAFKA_BINDING}}


def _messages() -> dict[str, Any]:
    keys = {c.address: c.key for c in CHANNELS}
    messages: dict[str, Any] = {}
    for name, (title, summary) in EVENTS.items():
        messages[name] = {
            "name": name, "title": title, "summary": summary, "contentType": CONTENT_TYPE,
            "headers": {"$ref": SCHEMAS + "EventHeaders"}, "payload": {"$ref": SCHEMAS + f"{name}Event"},
            "bindings": _key(keys[EVENT_TOPIC[name]]),
            "x-producer": PRODUCER_OF[name],
        }
    ingress_key = keys[INGRESS]
    messages["IngressReport"] = {
        "name": "IngressReport", "title": "报告 JSON / A report as JSON",
        "summary": "The report as `POST /v1/reports` takes it; the unit, actor and message id in headers.",
        "contentType": "application/json", "headers": {"$ref": SCHEMAS + "IngressHeaders"},
        "payload": {"$ref": SCHEMAS + "Report"}, "bindings": _key(ingress_key)}
    messages[COMMAND_TYPE] = {
        "name": COMMAND_TYPE, "title": "报告信封 / A report as a CloudEvent",
        "summary": "A structured-mode CloudEvent of type SubmitReport: `id` the message id, `actorunit` the "
                   "reporting unit, `actor` the person, `data` the report.",
        "contentType": CONTENT_TYPE, "payload": {"$ref": SCHEMAS + f"{COMMAND_TYPE}Command"},
        "bindings": _key(ingress_key)}
    return messages


def _channels() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    for c in CHANNELS:
        if c.address in (INGRESS, AGENCY_INGRESS_PREFIX + "{unit}"):
            names = ["IngressReport", COMMAND_TYPE]
        else:
            names = [name for name in EVENTS if EVENT_TOPIC[name] == c.address]
        channel: dict[str, Any] = {
            "address": c.address, "title": c.title, "description": c.description,
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in names},
        }
        if c.address in PARTITIONS:
            channel["bindings"] = {"kafka": {"topic": c.address, "partitions": PARTITIONS[c.address],
                                             "bindingVersion": KAFKA_BINDING}}
        else:
            channel["parameters"] = {"unit": {"description": "The agency's unit id."}}
        channels[c.id] = channel
    return channels


def _operations() -> dict[str, Any]:
    """What each service sends, by channel, and what intake receives."""
    by_id = {c.address: c.id for c in CHANNELS}
    operations: dict[str, Any] = {}
    for service in SERVICES:
        for topic in (REPORTS, ITEMS, UNITS, DEADLINES, BREACHES, AUDIT, INGRESS_DEAD_LETTER):
            names = [n for n in EVENTS if PRODUCER_OF[n] == service and EVENT_TOPIC[n] == topic]
            if names:
                channel = by_id[topic]
                operations[f"{service}-sends-{channel}"] = {
                    "action": "send", "title": f"{service} → {topic}",
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in names]}
    for channel in ("ingress", "agency-ingress"):
        operations[f"intake-receives-{channel}"] = {
            "action": "receive", "title": f"intake ← {channel}", "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in ("IngressReport", COMMAND_TYPE)]}
    return operations


def document() -> dict[str, Any]:
    return {
        "asyncapi": "3.1.0",
        "info": {
            "title": "Baosong 报送 events",
            "version": "1",
            "description": "Every Kafka topic of Baosong and every record on it. Events are CloudEvents 1.0 in "
                           "structured mode (`application/cloudevents+json`: the whole envelope is the record's "
                           "value, no `ce_` headers), each signed by the one service that may make its type "
                           "(headers `baosong-producer`, `baosong-signature`). The envelope is fixed; each type's "
                           "`data` may gain fields, and a name never changes meaning.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {"host": "127.0.0.1:9092", "protocol": "kafka",
                      "description": "The broker `./baosong up` starts (SASL/SCRAM-SHA-512 over SASL_PLAINTEXT).",
                      "security": [{"$ref": "#/components/securitySchemes/scram"}]},
        },
        "channels": _channels(),
        "operations": _operations(),
        "components": {
            "messages": _messages(),
            "schemas": _schemas(),
            "securitySchemes": {"scram": {
                "type": "scramSha512",
                "description": "Each service has its own user; an agency's user (`./baosong kafka-user`) may "
                               "write only its own ingress topic."}},
        },
    }


def specification() -> tuple[str, str]:
    """The document as (JSON, YAML), keys sorted."""
    spec = document()
    return (json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            yaml.safe_dump(spec, allow_unicode=True, sort_keys=True, width=120))


def main() -> None:
    as_json, as_yaml = specification()
    (DOCS / "asyncapi.json").write_text(as_json, encoding="utf-8")
    (DOCS / "asyncapi.yaml").write_text(as_yaml, encoding="utf-8")
    print(f"wrote {DOCS / 'asyncapi.json'} and {DOCS / 'asyncapi.yaml'}", file=sys.stderr)


if __name__ == "__main__":
    main()
