"""Webhook notifications to duty rooms (值班室): retries with exponential backoff, then a dead letter.

Each (event, recipient, receiver URL) is sent at most once with success: the outcome is recorded in
``escalation.deliveries``; what never got through is kept in ``escalation.dead_letters`` and logged.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx

from shared.db import Database
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class WebhookConfig:
    default_url: str | None
    urls: dict[str, str]
    attempts: int
    backoff_s: float
    timeout_s: float

    def url_for(self, unit_id: str) -> str | None:
        return self.urls.get(unit_id) or self.default_url

    @property
    def enabled(self) -> bool:
        return bool(self.default_url or self.urls)


class WebhookNotifier:
    def __init__(self, db: Database, config: WebhookConfig):
        self._db, self._config = db, config
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def close(self) -> None:
        await self._client.aclose()

    async def notify(self, envelope: dict[str, Any]) -> None:
        """Send the event to the responsible unit's duty room and to its superior's."""
        unit_id = envelope["data"]["unit_id"]
        async with self._db.pool.acquire() as conn:
            parent = await conn.fetchval("SELECT parent_id FROM escalation.units WHERE unit_id = $1", unit_id)
            done = {(r["recipient"], r["url"]) for r in await conn.fetch(
                "SELECT recipient, url FROM escalation.deliveries WHERE event_id = $1", envelope["id"])}
        for recipient, role in ((unit_id, "responsible_unit"), (parent, "superior")):
            url = self._config.url_for(recipient) if recipient else None
            if url is None or (recipient, url) in done:
                continue
            await self._deliver(envelope, recipient, role, url)

    async def _deliver(self, envelope: dict[str, Any], recipient: str, role: str, url: str) -> None:
        payload = {"recipient_unit": recipient, "recipient_role": role, "event": envelope}
        headers = {"X-Baosong-Delivery": f"{envelope['id']}:{recipient}", "Content-Type": "application/json"}
        error = ""
        attempt = 0
        for attempt in range(1, self._config.attempts + 1):
            try:
                answer = await self._client.post(url, content=json.dumps(payload, ensure_ascii=False).encode(),
                                                 headers=headers)
                if answer.status_code < 300:
                    await self._record(envelope, recipient, url, "delivered", attempt)
                    return
                error = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            if attempt < self._config.attempts:
                await asyncio.sleep(self._config.backoff_s * 2 ** (attempt - 1))
        log.error("notification dead-lettered", event_id=envelope["id"], recipient=recipient, url=url,
                  attempts=attempt, error=error)
        async with self._db.pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO escalation.dead_letters (event_id, recipient, url, attempts, last_error,"
                               " payload) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
                               envelope["id"], recipient, url, attempt, error, json.dumps(payload))
            await self._record(envelope, recipient, url, "dead", attempt, conn)

    async def _record(self, envelope: dict[str, Any], recipient: str, url: str, status: str, attempts: int,
                      conn: Any = None) -> None:
        sql = ("INSERT INTO escalation.deliveries (event_id, recipient, url, status, attempts)"
               " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        args = (envelope["id"], recipient, url, status, attempts)
        if conn is not None:
            await conn.execute(sql, *args)
        else:
            await self._db.pool.execute(sql, *args)
