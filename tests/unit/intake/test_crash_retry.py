"""A crash after Kafka acknowledged the events but before intake recorded it: the retry republishes
the very same events (same ids, same bytes), so the archive keeps each exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.adapters.store import IntakeStore
from services.intake.submit import Intake
from shared.db import Database
from shared.envelope import Envelope
from shared.events import UnitRegistered
from shared.signing import Signer
from tests.conftest import Infra
from tests.support.reports import report


class Crash(Exception):
    pass


async def test_retry_after_a_crash_between_publish_and_commit_republishes_identical_events(infra: Infra) -> None:
    sent: list[bytes] = []
    crash = [True]

    async def publish(envelope: Envelope) -> None:
        sent.append(envelope.to_bytes())
        if crash[0]:
            raise Crash  # the broker has it; the process dies before the submission is marked published

    db = Database(infra.service_dsn("intake"))
    async with db.connected():
        store = IntakeStore(db)
        unit = f"town-{uuid.uuid4().hex[:8]}"
        await store.put_unit(UnitRegistered(unit_id=unit, name="镇", level="town", kind="general_office"),
                             event_id=str(uuid.uuid4()), event_time=datetime.now(UTC))
        intake = Intake(store, publish, clock_skew=timedelta(minutes=2),
                        signer=Signer.from_pem(infra.receipt_signing_key))
        body = report(reporting_unit=unit, location={"unit_id": unit, "address": ""})
        with pytest.raises(Crash):
            await intake.submit(body, unit_id=unit, actor="clerk", key="k")
        assert (await store.submission(unit, "k")) is not None
        crash[0] = False
        answer = await intake.submit(body, unit_id=unit, actor="clerk", key="k")
        assert len(sent) == 2 and sent[0] == sent[1]
        assert Envelope.from_bytes(sent[0]).data["report_id"] == answer["report_id"]
        again = await intake.submit(body, unit_id=unit, actor="clerk", key="k")
        assert again == answer and len(sent) == 2
        stored = await store.submission(unit, "k")
        assert stored is not None and stored.published
