"""Benchmark: POST /v1/reports on a running stack, side by side with its peer GET /healthz.

Run against a stack started with ``./baosong up --detach`` (same BAOSONG_* environment):
``.venv/bin/python -m bench.intake_submit [N] [CONCURRENCY]``. Prints latency percentiles and
throughput; a report is answered only after Kafka (acks=all) and PostgreSQL have it, so the gap to
/healthz is the price of durability and classification.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from deploy.stack import StackConfig
from shared.auth import mint_token
from tests.support.reports import report


async def measure(n: int, concurrency: int, call: Callable[[], Awaitable[int]]) -> tuple[list[float], float]:
    latencies: list[float] = []
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            t = time.perf_counter()
            status = await call()
            latencies.append((time.perf_counter() - t) * 1000)
            assert status in (200, 202), status

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return sorted(latencies), n / (time.perf_counter() - t0)


def row(name: str, lat: list[float], rate: float) -> str:
    p = statistics.quantiles(lat, n=100)
    return f"{name:<22} p50 {p[49]:7.1f} ms   p95 {p[94]:7.1f} ms   max {lat[-1]:7.1f} ms   {rate:7.1f} /s"


async def main(n: int, concurrency: int) -> None:
    cfg = StackConfig.from_env()
    token = mint_token(cfg.private_key.read_bytes(), subject="bench", unit="town-a-office", roles=["reporter"])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=cfg.url("intake"), headers=headers, timeout=30) as client:
        async def submit() -> int:
            r = await client.post("/v1/reports", json=report(), headers={"Idempotency-Key": str(uuid.uuid4())})
            return r.status_code

        async def health() -> int:
            return (await client.get("/healthz")).status_code

        await measure(20, concurrency, submit)  # warm-up
        print(f"{n} requests, concurrency {concurrency}")
        print(row("GET /healthz (peer)", *await measure(n, concurrency, health)))
        print(row("POST /v1/reports", *await measure(n, concurrency, submit)))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 8))
