"""The web service (the pages) in tests: its environment, and accounts added through its API."""

from __future__ import annotations

import json
import time

import httpx

from deploy.web_assets import ensure_front_end
from tests.conftest import Infra


def web_env(infra: Infra, urls: dict[str, str]) -> dict[str, str]:
    """What ``up`` gives web: the stack's token-signing key, the services it calls, the front end's files."""
    return {"BAOSONG_JWT_SIGNING_KEY": str(infra.keys / "jwt.pem"), "BAOSONG_SERVICE_URLS": json.dumps(urls),
            "BAOSONG_FRONT_END_DIR": str(ensure_front_end(progress=False))}


def add_account(infra: Infra, web: str, login: str, unit: str | None, roles: list[str], name: str = "张伟",
                timeout_s: float = 30) -> str:
    """PUT the account as an admin (waiting while intake has not yet heard of the unit); its password."""
    headers = {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}
    body = {"name": name, "unit": unit, "roles": roles, "reset_password": True}
    deadline = time.monotonic() + timeout_s
    while True:
        answer = httpx.put(f"{web}/v1/accounts/{login}", json=body, headers=headers, timeout=30)
        if answer.status_code != 422 or time.monotonic() > deadline:
            break
        time.sleep(0.3)  # units reach intake over Kafka
    assert answer.status_code in (200, 201), answer.text
    password: str = answer.json()["password"]
    return password
