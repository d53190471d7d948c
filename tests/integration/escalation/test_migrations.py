"""Escalation's migrations on rows stored before them."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from tests.conftest import Infra

pytestmark = pytest.mark.integration
MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "escalation" / "adapters" / "migrations"


async def test_migration_002_gives_forwards_seen_before_it_their_reports_channel(infra: Infra) -> None:
    name = "escalation_m002"
    admin = await asyncpg.connect(infra.superuser_dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    conn = await asyncpg.connect(infra.superuser_dsn.rsplit("/", 1)[0] + f"/{name}")
    try:
        await conn.execute((MIGRATIONS / "001_clocks.sql").read_text())
        # (event, type, report, channel as 001 stored it: a submission's report channel, a forward's route)
        seen = [("s-phone", "ReportSubmitted", "r-phone", "phone"), ("f-phone", "ReportForwarded", "r-phone", "main"),
                ("s-written", "ReportSubmitted", "r-written", "written"),
                ("f-written", "ReportForwarded", "r-written", "department"),
                ("f-unseen", "ReportForwarded", "r-unseen", "skip_notice")]
        await conn.executemany("INSERT INTO escalation.seen (event_id, incident_id, type, report_id, channel, at)"
                               " VALUES ($1, 'inc', $2, $3, $4, now())", seen)
        await conn.execute((MIGRATIONS / "002_seen_report_channel.sql").read_text())
        rows = await conn.fetch("SELECT event_id, report_channel FROM escalation.seen")
        assert dict(tuple(r) for r in rows) == {"s-phone": "phone", "f-phone": "phone", "s-written": "written",
                                                "f-written": "written", "f-unseen": "written"}
    finally:
        await conn.close()
        admin = await asyncpg.connect(infra.superuser_dsn)
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.close()
