"""Run a real service process against the session's broker and database, as the stack would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from deploy.proc import free_port
from deploy.web_assets import CHROMIUM, echarts_path
from tests.conftest import Infra

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def running_service(infra: Infra, service: str, log_dir: Path, **env: str) -> Iterator[str]:
    """Start ``python -m services.<service>``; yields its base URL; stops it (SIGTERM) on exit."""
    with service_process(infra, service, log_dir, **env) as (url, _):
        yield url


@contextmanager
def service_process(infra: Infra, service: str, log_dir: Path, port: int | None = None,
                    **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like ``running_service``, also yielding the process (e.g. to SIGKILL it with ``stop(proc, kill=True)``)."""
    port = port or free_port()
    full_env = {
        **os.environ,
        "BAOSONG_SERVICE_NAME": service,
        "BAOSONG_PORT": str(port),
        **infra.kafka_env(service),
        "BAOSONG_PG_DSN": infra.service_dsn(service),
        "BAOSONG_JWT_PUBLIC_KEY": str(infra.public_key),
        "BAOSONG_HEAD_SIGNING_KEY": str(infra.head_signing_key),
        "BAOSONG_HEADS_FILE": str(log_dir / f"heads-{port}.jsonl"),
        "BAOSONG_RECEIPT_SIGNING_KEY": str(infra.receipt_signing_key),
        "BAOSONG_ECHARTS_JS": str(echarts_path()),
        "BAOSONG_CHROMIUM": str(CHROMIUM),
        **env,
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / f"{service}-{port}.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", f"services.{service}"], cwd=REPO, env=full_env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log_dir / f"{service}-{port}.log")
        yield url, proc
    finally:
        stop(proc)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"service exited with {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"service at {url} not healthy in {timeout_s}s: {log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
