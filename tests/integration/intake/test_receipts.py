"""Receipts (回执凭证) from intake as a real process on the real broker and PostgreSQL: a genuine receipt
verifies (CLI and HTTP), one byte changed does not, replays give the same receipt, ingress reports have one."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.intake.domain.submission import report_id_for
from shared.topics import INGRESS
from tests.conftest import Infra
from tests.support.reports import report
from tests.support.services import running_service

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def intake(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(infra, "intake", tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture
def town(infra: Infra, intake: str) -> str:
    """A fresh town (under a fresh county) for the test."""
    s = uuid.uuid4().hex[:8]
    admin = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    for unit_id, parent in ((f"county-{s}", None), (f"town-{s}", f"county-{s}")):
        body = {"name": "测试单位", "level": "county" if parent is None else "town", "kind": "general_office",
                "parent_id": parent}
        assert httpx.put(f"{intake}/v1/units/{unit_id}", json=body, headers=admin).status_code == 201
    return f"town-{s}"


def headers(infra: Infra, unit: str | None, role: str = "reporter") -> dict[str, str]:
    return {"Authorization": f"Bearer {infra.token(unit=unit, role=role)}"}


def submit(intake: str, infra: Infra, town: str, key: str) -> tuple[dict[str, Any], httpx.Response]:
    body = report(reporting_unit=town, location={"unit_id": town, "address": "K12"})
    answer = httpx.post(f"{intake}/v1/reports", json=body, headers={**headers(infra, town), "Idempotency-Key": key})
    assert answer.status_code == 202, answer.text
    return body, answer


def verify_receipt(infra: Infra, file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.cli", "verify-receipt", str(file),
                           "--key", str(infra.keys / "receipts.pub.pem")],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)


def one_byte_changed(text: str) -> str:
    """``text`` with its middle character replaced by another of the same kind (hex stays hex)."""
    middle = len(text) // 2
    swap = "1" if text[middle] != "1" else "2"
    return text[:middle] + swap + text[middle + 1:]


def test_a_genuine_receipt_verifies_and_one_byte_changed_in_any_field_does_not(
        infra: Infra, intake: str, town: str, tmp_path: Path) -> None:
    body, answer = submit(intake, infra, town, f"k-{uuid.uuid4()}")
    receipt = answer.json()["receipt"]
    assert set(receipt) == {"id", "content_sha256", "received_at", "key_id", "signature"}
    assert receipt["id"] == answer.json()["report_id"]
    assert receipt["received_at"] == answer.json()["received_at"]
    assert receipt["content_sha256"] == hashlib.sha256(
        json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    genuine = tmp_path / "receipt.json"
    genuine.write_text(json.dumps(receipt, ensure_ascii=False))
    done = verify_receipt(infra, genuine)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "回执真实有效" in done.stdout and receipt["id"] in done.stdout
    whole_answer = tmp_path / "answer.json"
    whole_answer.write_text(answer.text)
    assert verify_receipt(infra, whole_answer).returncode == 0

    for field in receipt:
        forged = tmp_path / f"forged-{field}.json"
        forged.write_text(json.dumps({**receipt, field: one_byte_changed(receipt[field])}, ensure_ascii=False))
        done = verify_receipt(infra, forged)
        assert done.returncode == 1, (field, done.stdout)
        assert "回执无效" in done.stdout and "NOT genuine" in done.stdout


def test_the_verify_endpoint_says_genuine_or_not_and_names_missing_fields(
        infra: Infra, intake: str, town: str) -> None:
    _, answer = submit(intake, infra, town, f"k-{uuid.uuid4()}")
    receipt = answer.json()["receipt"]
    anyone = headers(infra, None, "investigator")
    check = httpx.post(f"{intake}/v1/receipts/verify", json=receipt, headers=anyone)
    assert check.status_code == 200 and check.json()["genuine"] is True
    forged = {**receipt, "received_at": one_byte_changed(receipt["received_at"])}
    check = httpx.post(f"{intake}/v1/receipts/verify", json=forged, headers=anyone)
    assert check.status_code == 200 and check.json()["genuine"] is False
    assert "签名与内容不符" in check.json()["reason"] and "does not match" in check.json()["reason_en"]
    partial = {k: v for k, v in receipt.items() if k != "signature"}
    check = httpx.post(f"{intake}/v1/receipts/verify", json=partial, headers=anyone)
    assert check.status_code == 422
    assert check.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in check.json()["errors"]] == ["signature"]
    key = httpx.get(f"{intake}/v1/receipts/key", headers=anyone).json()
    assert key["key_id"] == receipt["key_id"] and "PUBLIC KEY" in key["public_key_pem"]


def test_a_replay_of_the_same_submission_returns_the_same_receipt(
        infra: Infra, intake: str, town: str) -> None:
    key = f"k-{uuid.uuid4()}"
    _, first = submit(intake, infra, town, key)
    time.sleep(0.01)
    _, again = submit(intake, infra, town, key)
    assert again.json()["receipt"] == first.json()["receipt"]


async def test_an_ingress_report_has_a_receipt_its_unit_can_fetch(infra: Infra, intake: str, town: str) -> None:
    message_id = f"agency-{uuid.uuid4()}"
    body = report(reporting_unit=town, location={"unit_id": town, "address": "K12"})
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", **infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(INGRESS, json.dumps(body).encode(), key=b"agency", headers=[
            ("baosong-unit", town.encode()), ("baosong-message-id", message_id.encode())])
    finally:
        await producer.stop()
    report_id = report_id_for(town, f"ingress:{message_id}")
    url = f"{intake}/v1/receipts/{report_id}"
    async with httpx.AsyncClient(timeout=10) as client:
        deadline = time.monotonic() + 30
        while (got := await client.get(url, headers=headers(infra, town))).status_code != 200:
            assert got.status_code == 404, got.text
            assert time.monotonic() < deadline, "the ingress report's receipt never appeared"
            await asyncio.sleep(0.2)
        receipt = got.json()
        assert receipt["id"] == report_id
        check = await client.post(f"{intake}/v1/receipts/verify", json=receipt, headers=headers(infra, town))
        assert check.json()["genuine"] is True
        assert (await client.get(url, headers=headers(infra, "some-other-unit"))).status_code == 404
        assert (await client.get(url, headers=headers(infra, None, "investigator"))).status_code == 200
        by_message = await client.get(f"{intake}/v1/receipts/ingress/{message_id}", headers=headers(infra, town))
        assert by_message.status_code == 200 and by_message.json() == receipt
        elsewhere = await client.get(f"{intake}/v1/receipts/ingress/{message_id}",
                                     headers=headers(infra, "some-other-unit"))
        assert elsewhere.status_code == 404
