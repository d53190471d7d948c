"""Receipts (回执凭证): intake's signed word that it received a submission, and when.

``{"id", "content_sha256", "received_at", "key_id", "signature"}``: the report id (an item's id for a
work-information item), the SHA-256 (hex) of the submitted JSON in intake's canonical form
(``services.intake.submit.request_hash``: keys sorted, Python's default separators ``", "`` and ``": "``,
non-ASCII as is, UTF-8), the time intake accepted it, and Ed25519 over the other four fields as
``shared.signing`` defines. The reporting unit keeps it; anyone holding intake's public key can check it,
so the unit can prove it reported, what and when.
"""

from __future__ import annotations

from typing import Any

from shared.signing import KeyRing, Refusal, Signer

FIELDS: dict[str, str] = {
    "id": "报告编号", "content_sha256": "内容摘要", "received_at": "受理时间", "key_id": "密钥编号",
    "signature": "签名",
}


def receipt_for(signer: Signer, *, submission_id: str, content_sha256: str, received_at: str) -> dict[str, Any]:
    """The receipt of a report (``id``: its report id) or of a work-information item (its item id)."""
    return signer.sign({"id": submission_id, "content_sha256": content_sha256, "received_at": received_at})


def unwrap(document: Any) -> Any:
    """The receipt in ``document``: the receipt itself, or a whole 202 answer that holds one."""
    if isinstance(document, dict) and isinstance(document.get("receipt"), dict):
        return document["receipt"]
    return document


def shape_errors(candidate: Any) -> list[dict[str, str]]:
    """What keeps ``candidate`` from being a receipt at all, one problem+json ``errors`` entry per field."""
    if not isinstance(candidate, dict):
        return [{"field": "receipt", "label": "回执", "message": "回执应是 JSON 对象",
                 "message_en": "a receipt is a JSON object", "type": "object_type"}]
    errors = [{"field": name, "label": label, "message": "缺少此字段或不是文本",
               "message_en": "missing, or not a string", "type": "string_type"}
              for name, label in FIELDS.items() if not isinstance(candidate.get(name), str)]
    errors += [{"field": name, "label": name, "message": "回执中没有这个字段",
                "message_en": "a receipt has no such field", "type": "extra_forbidden"}
               for name in candidate if name not in FIELDS]
    return errors


def refusal(candidate: Any, keys: KeyRing) -> Refusal | None:
    """None for a genuine receipt; else why it is not one."""
    errors = shape_errors(candidate)
    if errors:
        fields = ", ".join(e["field"] for e in errors)
        return Refusal(f"不是完整的回执（{fields}）", f"not a complete receipt ({fields})")
    return keys.refusal(candidate)
