"""The whole stack as a newcomer starts it: ./baosong up --detach, a round trip, ./baosong down."""

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from deploy.postgres_local import trusting_lines
from deploy.proc import free_port, pid_alive
from tests.support.reports import report

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
NAMES = ("intake", "approval", "escalation", "archive", "assessment", "web", "kafka", "kafka_controller",
         "postgres")


def baosong(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(REPO / "baosong"), *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def assert_postgres_needs_the_owners_password(home: Path, dsn: str) -> None:
    """status --json's DSN carries the owner's password and works; without it the cluster refuses; the file
    that keeps the passwords is readable by its owner only, and pg_hba.conf trusts nobody."""
    async def connect(url: str) -> str:
        conn = await asyncpg.connect(url, passfile="/nonexistent/.pgpass")
        try:
            return str(await conn.fetchval("SELECT current_user"))
        finally:
            await conn.close()

    assert asyncio.run(connect(dsn)) == "postgres"
    url = urlsplit(dsn)
    assert url.password
    with pytest.raises(asyncpg.InvalidPasswordError):
        asyncio.run(connect(urlunsplit(url._replace(netloc=url.netloc.replace(f":{url.password}@", "@")))))
    assert (home / "postgres" / "passwords.json").stat().st_mode & 0o777 == 0o600
    assert trusting_lines((home / "postgres" / "data" / "pg_hba.conf").read_text()) == []


def events_by_type(dsn: str) -> dict[str, int]:
    """How many events of each type the archive holds, and (as ``"by demo"``) how many the demo's tokens made."""
    async def count() -> dict[str, int]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch("SELECT type, count(*) AS n FROM archive.events GROUP BY type")
            demo = await conn.fetchval("SELECT count(*) FROM archive.events WHERE body::jsonb->>'actor' LIKE 'demo-%'")
        finally:
            await conn.close()
        return {**{row["type"]: row["n"] for row in rows}, "by demo": demo}

    return asyncio.run(count())


def test_up_round_trip_down() -> None:
    home = Path(tempfile.mkdtemp(prefix="baosong-e2e-"))
    home.chmod(0o755)  # PostgreSQL runs as its own account and must reach its folder
    env = {**os.environ, "BAOSONG_HOME": str(home), "BAOSONG_HEAD_PUBLISH_INTERVAL_S": "0.5",
           "BAOSONG_DEMO": "0", "BAOSONG_DEMO_INTERVAL_S": "1",  # were the demo started, it would post at once
           **{f"BAOSONG_{n.upper()}_PORT": str(free_port()) for n in NAMES}}
    up = baosong(env, "up", "--detach")
    came_up = time.monotonic()
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        status = json.loads(baosong(env, "status", "--json").stdout)
        for url in status["services"].values():
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        token = baosong(env, "token", "--unit", "town-a-office", "--role", "reporter").stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        answer = httpx.post(f"{status['services']['intake']}/v1/reports", json=report(), headers=headers,
                            timeout=10)
        assert answer.status_code == 202, answer.text
        sent = time.monotonic()
        url = f"{status['services']['archive']}/v1/reports/{answer.json()['report_id']}"
        while httpx.get(url, headers=headers, timeout=5).status_code != 200:
            assert time.monotonic() - sent < 5, "the archive did not have the report within 5 s"
            time.sleep(0.05)
        (home / "answer.json").write_text(answer.text)
        added = baosong(env, "account", "add", "--login", "zhangwei", "--unit", "county-x-office", "--role",
                        "duty_officer", "--name", "张伟")
        assert added.returncode == 0, added.stderr
        web = status["web"].rstrip("/")
        signed = httpx.post(f"{web}/v1/session", json={"login": "zhangwei", "password": added.stdout.strip()},
                            headers={"Origin": web}, timeout=10)
        assert signed.status_code == 201, signed.text  # the pages' sign-in, with the password account add printed
        assert httpx.get(f"{web}/api/archive/v1/board", cookies=signed.cookies, timeout=10).status_code == 200
        checked = baosong(env, "verify-receipt", str(home / "answer.json"))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        private = [k for k in (home / "keys").glob("*.pem") if not k.name.endswith(".pub.pem")]
        assert len(private) == 3 and all(k.stat().st_mode & 0o777 == 0o600 for k in private)
        while not (home / "anchors" / "heads.jsonl").exists():
            assert time.monotonic() - sent < 10, "the archive published no head within 10 s"
            time.sleep(0.1)
        verified = baosong(env, "verify")
        assert verified.returncode == 0 and "已锚定" in verified.stdout, verified.stdout + verified.stderr
        pids = json.loads((home / "run" / "stack.json").read_text())["pids"]
        assert_postgres_needs_the_owners_password(home, status["postgres"])
        verify = baosong(env, "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "demo" not in pids
        time.sleep(max(0.0, 8 - (time.monotonic() - came_up)))  # the demo posts its first incident at once
        stored = events_by_type(status["postgres"])
        assert stored["by demo"] == 0 and stored["ReportSubmitted"] == 1, stored  # only the test's own report
    finally:
        down = baosong(env, "down")
    assert down.returncode == 0, down.stderr
    assert not [name for name, pid in pids.items() if pid_alive(pid)]
    assert not (home / "postgres" / "data" / "postmaster.pid").exists()
    shutil.rmtree(home, ignore_errors=True)
