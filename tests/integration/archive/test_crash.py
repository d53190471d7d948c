"""SIGKILL the archive mid-batch while events stream in, restart it: nothing lost, nothing doubled."""

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest

from services.archive.adapters.verify import verify_chain
from tests.conftest import Infra
from tests.integration.archive.kafka_io import TOPIC_OF, eventually, producer
from tests.support.archive_events import Story
from tests.support.services import service_process, stop

pytestmark = pytest.mark.integration
REPORTS = "baosong.reports"


async def test_killing_the_archive_mid_batch_loses_and_doubles_nothing(
    infra: Infra, owner: asyncpg.Connection, tmp_path: Path,
) -> None:
    envelopes = [e for _ in range(300) for e in Story().all()]
    ids = [e["id"] for e in envelopes]

    async def stored() -> tuple[int, int]:
        row = await owner.fetchrow("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM archive.events"
                                   " WHERE event_id = ANY($1::text[])", ids)
        return row["n"], row["d"]

    async def stream() -> None:
        async with producer(infra) as p:
            for i in range(0, len(envelopes), 25):
                sends = [await p.send(TOPIC_OF.get(e["type"], REPORTS), value, key=e["subject"].encode(),
                                      headers=infra.signed_headers(e["type"], value))
                         for e in envelopes[i:i + 25] for value in (json.dumps(e).encode(),)]
                await asyncio.gather(*sends)
                await asyncio.sleep(0.02)

    async def some() -> bool:
        return (await stored())[0] > 0

    async def every() -> bool:
        return (await stored())[0] >= len(ids)

    env = {"BAOSONG_BATCH_MAX_RECORDS": "20"}
    with service_process(infra, "archive", tmp_path, **env) as (_, first):
        publishing = asyncio.create_task(stream())
        await eventually(some, what="the first batches archived")
        stop(first, kill=True)  # SIGKILL: no shutdown, offsets of the batch in flight not committed
        killed_at = (await stored())[0]
    assert killed_at < len(ids), "the archive was killed after everything was stored: nothing tested"
    with service_process(infra, "archive", tmp_path, **env):
        await publishing
        await eventually(every, timeout_s=90, what="every event archived")
        await asyncio.sleep(1)  # redeliveries of the killed batch would land now
        assert await stored() == (len(ids), len(ids))
    assert not await owner.fetchval("SELECT count(*) FROM archive.conflicts WHERE event_id = ANY($1::text[])", ids)
    verdict = await verify_chain(infra.owner_dsn)
    assert verdict.intact, verdict.problem

