"""The demo, asked for: ./baosong demo starts a stack of its own (data home <home>-demo, own ports) whose boards
move — the incident statistics, and the assessment scores of the units' information work — and the real
stack's data home is never touched."""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from deploy.proc import free_port, pid_alive
from tests.e2e.test_stack import NAMES, baosong, events_by_type

pytestmark = pytest.mark.e2e


def test_the_demo_runs_in_its_own_home_and_the_board_moves() -> None:
    base = Path(tempfile.mkdtemp(prefix="baosong-e2e-demo-"))
    base.chmod(0o755)  # PostgreSQL runs as its own account and must reach its folder
    home, demo_home = base / "home", base / "home-demo"
    env = {**os.environ, "BAOSONG_HOME": str(home), "BAOSONG_DEMO": "0", "BAOSONG_DEMO_INTERVAL_S": "1",
           "BAOSONG_DEMO_ITEM_INTERVAL_S": "1",
           **{f"BAOSONG_DEMO_{n.upper()}_PORT": str(free_port()) for n in NAMES}}
    started = baosong(env, "demo")
    pids: dict[str, int] = {}
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        pids = json.loads((demo_home / "run" / "stack.json").read_text())["pids"]
        assert "demo" in pids and pid_alive(pids["demo"])
        status = json.loads(baosong(env, "status", "--demo", "--json").stdout)
        assert status["services"]["intake"] == f"http://127.0.0.1:{env['BAOSONG_DEMO_INTAKE_PORT']}"
        token = baosong(env, "token", "--demo", "--role", "investigator").stdout.strip()
        stats = f"{status['services']['archive']}/v1/stats/units"
        waited = time.monotonic()
        while True:  # the board moves: the demo's incidents reach the archive and its statistics
            figures = httpx.get(stats, headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
            if sum(unit["reports"] for unit in figures["units"]) >= 2:
                break
            assert time.monotonic() - waited < 60, f"the demo's statistics did not move in 60 s: {figures}"
            time.sleep(1)
        scores = f"{status['services']['assessment']}/v1/scores"
        waited = time.monotonic()
        while True:  # the assessment board moves: items written, signed off and adopted into publications
            units = httpx.get(scores, headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["units"]
            if any(u["submitted"] > 0 and u["approved"] > 0 and u["adopted"] > 0 for u in units):
                break
            assert time.monotonic() - waited < 90, f"the demo's scores did not move in 90 s: {units}"
            time.sleep(1)
        events = events_by_type(status["postgres"])
        assert events["by demo"] >= 2
        assert events.get("ItemSubmitted", 0) and events.get("ItemApproved", 0) and events.get("ItemAdopted", 0)
        assert not home.exists(), "the demo touched the real stack's data home"
    finally:
        stopped = baosong(env, "down", "--demo")
    assert stopped.returncode == 0, stopped.stderr
    assert not [name for name, pid in pids.items() if pid_alive(pid)]
    shutil.rmtree(base, ignore_errors=True)
