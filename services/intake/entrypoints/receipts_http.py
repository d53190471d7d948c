"""Receipts (回执凭证) over HTTP: check one (``POST /v1/receipts/verify``), fetch the receipt of a report
(``GET /v1/receipts/{report_id}``, also for reports that came over the Kafka ingress, and of a
work-information item by its item id, or ``GET /v1/receipts/ingress/{message_id}`` for the unit that sent
that message) and the public key that checks them (``GET /v1/receipts/key``). No postponed annotations
here (FastAPI resolves the Annotated dependencies at run time).
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Depends, Path, Request

from services.intake.adapters.store import IntakeStore, ItemSubmission, Submission
from services.intake.domain import receipt
from services.intake.entrypoints.http import json_body
from shared.auth import Principal
from shared.http import Problem
from shared.signing import KeyRing, Signer

#: Who may fetch a report's receipt besides the unit that submitted it.
READ_ANY = ("investigator", "admin")


def router(store: IntakeStore, signer: Signer, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1/receipts")
    keys = KeyRing([signer.public_key])

    @api.post("/verify", summary="核验回执凭证 / check a receipt")
    async def verify_receipt(request: Request, _: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        """The receipt itself, or a whole 202 answer holding it → whether intake's key signed exactly it."""
        candidate = receipt.unwrap(await json_body(request))
        errors = receipt.shape_errors(candidate)
        if errors:
            fields = ", ".join(e["field"] for e in errors)
            raise Problem(422, "Not a receipt", f"不是完整的回执，请检查：{fields} / Not a complete receipt: {fields}",
                          errors)
        refusal = keys.refusal(candidate)
        return {"genuine": refusal is None, "id": candidate["id"], "received_at": candidate["received_at"],
                "key_id": candidate["key_id"], "reason": refusal.zh if refusal else None,
                "reason_en": refusal.en if refusal else None}

    @api.get("/key", summary="回执签名公钥 / the public key that checks receipts")
    async def receipt_key(_: Annotated[Principal, Depends(auth)]) -> dict[str, str]:
        pem = signer.public_key.public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"key_id": signer.key_id, "public_key_pem": pem.decode()}

    @api.get("/ingress/{message_id}", summary="Kafka 入口消息的回执凭证 / the receipt of an ingress message")
    async def ingress_receipt(message_id: Annotated[str, Path(min_length=1, max_length=200)],
                              principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        """The receipt of the report the token's unit sent on the ingress topic with this message id."""
        found = await store.submission(principal.unit, f"ingress:{message_id}") if principal.unit else None
        return _receipt_of(found, f"ingress message {message_id!r}", f"入口消息 {message_id}")

    @api.get("/{report_id}", summary="报告或信息的回执凭证 / the receipt of a report or an item")
    async def report_receipt(report_id: Annotated[str, Path(min_length=1, max_length=200)],
                             principal: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        """For the unit that submitted the report (over HTTP or the Kafka ingress) or the work-information
        item (its item id), investigators and admins."""
        found: Submission | ItemSubmission | None = await store.submission_of_report(report_id)
        if found is None:
            found = await store.item_submission_of(report_id)
        mine = found is not None and (principal.unit == found.unit_id or principal.has_any(*READ_ANY))
        return _receipt_of(found if mine else None, f"report or item {report_id!r}", f"报告或信息 {report_id}")

    return api


def _receipt_of(found: Submission | ItemSubmission | None, what: str, what_zh: str) -> dict[str, Any]:
    """The stored receipt of an accepted submission, else 404 (also for one from before receipts existed)."""
    if found is None or not found.published or "receipt" not in found.answer:
        raise Problem(404, "Not found",
                      f"没有本单位可见的{what_zh}的回执 / No receipt of {what} that your unit may see")
    stored: dict[str, Any] = found.answer["receipt"]
    return stored
