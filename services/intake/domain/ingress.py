"""The Kafka ingress's wire format and its dead letters (docs/integration.md), pure.

A message on ``baosong.ingress.reports`` is either
- a CloudEvents envelope (``specversion`` present) of type ``SubmitReport`` whose ``data`` is the
  report, ``id`` the message id, ``actorunit`` the reporting unit and ``actor`` the person; or
- the plain report JSON with headers ``baosong-unit`` (required), ``baosong-actor`` and
  ``baosong-message-id``.
Without a message id, the message's own (topic, partition, offset) is its id, so a redelivery is
still recognised. The message id is the submission's idempotency key, as the HTTP header is.
A message is bounded as an HTTP body is (``bounds``): too large, too deep, NUL or a lone surrogate
anywhere, or an id, unit or actor that cannot be stored, and it goes to the dead-letter topic as an
``IngressMessageRefused`` event.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.domain.bounds import identifier_errors, parse_json, unsafe_fields
from services.intake.domain.messages import field_error
from services.intake.domain.submission import SOURCE
from shared.envelope import Envelope
from shared.events import IngressMessageRefused, IngressSource
from shared.http import Problem

COMMAND_TYPE = "SubmitReport"
UNIT_HEADER, ACTOR_HEADER, ID_HEADER = "baosong-unit", "baosong-actor", "baosong-message-id"
Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class IngressMessage:
    message_id: str
    unit_id: str
    actor: str
    report: Any


def _header(headers: Headers, name: str) -> str | None:
    for k, v in headers:
        if k.lower() == name and v is not None:
            return v.decode("utf-8", "replace")
    return None


def _refuse(zh: str, en: str, field: str, kind: str) -> Problem:
    return Problem(422, "Invalid ingress message", f"{zh} / {en}", [field_error(field, zh, en, kind)])


def _unstorable(errors: list[dict[str, str]]) -> Problem:
    fields = ", ".join(e["field"] for e in errors)
    return Problem(422, "Invalid ingress message", f"无法保存的字段：{fields} / Fields that cannot be stored: {fields}",
                   errors)


def read_message(topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
                 headers: Headers) -> IngressMessage | Problem:
    """The submission a message asks for, or the Problem that sends it to the dead-letter topic."""
    try:
        raw = parse_json(value or b"")
    except Problem as problem:
        return problem
    if unsafe := unsafe_fields(raw):
        return _unstorable(unsafe)
    if not isinstance(raw, dict):
        return _refuse("消息应为 JSON 对象", "the message must be a JSON object", "body", "model_type")
    fallback_id = f"kafka:{topic}:{partition}:{offset}"
    if "specversion" in raw:
        if raw.get("type") != COMMAND_TYPE:
            return _refuse(f"事件类型应为 {COMMAND_TYPE}", f"the envelope's type must be {COMMAND_TYPE}", "type",
                           "wrong_type")
        unit, actor = raw.get("actorunit"), raw.get("actor")
        message_id, report = raw.get("id") or fallback_id, raw.get("data")
        fields = {"unit": "actorunit", "actor": "actor", "id": "id"}
    else:
        unit, actor = _header(headers, UNIT_HEADER), _header(headers, ACTOR_HEADER)
        message_id, report = _header(headers, ID_HEADER) or fallback_id, raw
        fields = {"unit": f"header:{UNIT_HEADER}", "actor": f"header:{ACTOR_HEADER}", "id": f"header:{ID_HEADER}"}
    if not unit:
        return _refuse("未注明报送单位", "the reporting unit is missing", fields["unit"], "missing")
    actor = actor or f"ingress@{unit}"
    bad = [*identifier_errors(unit, fields["unit"]), *identifier_errors(actor, fields["actor"]),
           *identifier_errors(message_id, fields["id"])]
    if bad:
        return _unstorable(bad)
    assert isinstance(unit, str) and isinstance(actor, str) and isinstance(message_id, str)
    return IngressMessage(message_id, unit, actor, report)


def bind_to_topic(message: IngressMessage, topic: str, agency_prefix: str) -> IngressMessage | Problem:
    """On an agency's own topic (``<agency_prefix><unit>``, which only that agency's Kafka user may write)
    the topic proves the unit: a record naming another unit is refused (403), whatever its header says."""
    if not topic.startswith(agency_prefix):
        return message
    own = topic.removeprefix(agency_prefix)
    if message.unit_id == own:
        return message
    zh, en = f"本接入主题只接收单位 {own} 的报告", f"this ingress topic takes reports of unit {own} only"
    return Problem(403, "Forbidden", f"{zh} / {en}", [field_error("unit", zh, en, "forbidden")])


def dead_letter(topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
                headers: Headers, *, problem: Problem, at: datetime) -> Envelope:
    """The dead letter, an ``IngressMessageRefused`` event: the reasons, where the message was, and its original
    bytes (base64). Keyed by the original key, or by the letter's id when the message had none."""
    letter_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"baosong:dead-letter:{topic}:{partition}:{offset}"))
    original = value or b""
    try:
        text: str | None = original.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    key_text = key.decode("utf-8", "replace") if key else None
    letter = IngressMessageRefused(
        dead_letter_id=letter_id, failed_at=at, status=problem.status, title=problem.title, detail=problem.detail,
        errors=problem.errors, source=IngressSource(topic=topic, partition=partition, offset=offset, key=key_text),
        original_base64=base64.b64encode(original).decode(), original_text=text,
        original_headers={k: base64.b64encode(v or b"").decode() for k, v in headers})
    return Envelope(id=letter_id, source=SOURCE, type="IngressMessageRefused", subject=topic, time=at,
                    data=letter.model_dump(mode="json"), partitionkey=key_text or letter_id)
