"""How ``./baosong up`` starts the demo generator beside the services (a process of the stack)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start_demo(repo: Path, log_dir: Path, urls: dict[str, str], private_key: Path) -> int:
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BAOSONG_INTAKE_URL": urls["intake"], "BAOSONG_APPROVAL_URL": urls["approval"],
           "BAOSONG_JWT_PRIVATE_KEY": str(private_key)}
    with (log_dir / "demo.log").open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "deploy.demo"], cwd=repo, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return proc.pid
