"""``GET /v1/system/health``: is every service's every consumer keeping up? For the duty board's banner.

The archive asks the other services' ``/healthz`` (their URLs from ``BAOSONG_HEALTH_URLS``) and adds its
own consumers, so a duty officer sees at once when a consumer is held up and records are waiting.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends

from shared.auth import Principal
from shared.consumer import Consumers


async def _peer(client: httpx.AsyncClient, service: str, url: str) -> dict[str, Any]:
    try:
        answer = await client.get(f"{url.rstrip('/')}/healthz")
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        return {"service": service, "status": "unreachable", "detail": f"{type(exc).__name__}: {exc}",
                "consumers": []}
    return {"service": service, "status": "ok" if answer.status_code == 200 else "unhealthy",
            "detail": body.get("detail"), "consumers": body.get("consumers", [])}


def router(consumers: Consumers, peers: dict[str, str], auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter()

    @api.get("/v1/system/health", summary="各服务运行状态 / whether every service's consumers keep up")
    async def system_health(_: Annotated[Principal, Depends(auth)]) -> dict[str, Any]:
        own = await consumers.health()
        held = [c for c in own if c["state"] != "ok"]
        services = [{"service": consumers.service, "status": "unhealthy" if held else "ok",
                     "detail": "; ".join(f"{c['consumer']}: {c['state']}" for c in held) or None, "consumers": own}]
        async with httpx.AsyncClient(timeout=3) as client:
            services += await asyncio.gather(*(_peer(client, name, url) for name, url in sorted(peers.items())))
        return {"ok": all(s["status"] == "ok" for s in services), "services": services}

    return api
