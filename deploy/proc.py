"""Small process helpers: free ports, waiting for a port, running as the PostgreSQL account."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path


class SetupError(RuntimeError):
    """Something the machine lacks; the message says what to install or do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port: int, *, timeout_s: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.2)
    hint = f"; see {log}" if log else ""
    raise SetupError(f"{what} did not open port {port} within {timeout_s:.0f}s{hint}")


def require_binary(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SetupError(f"'{name}' is not installed: install it with 'apt-get install {package}'")
    return path


def is_root() -> bool:
    return os.geteuid() == 0


def pg_account() -> pwd.struct_passwd:
    """The unprivileged account PostgreSQL runs as when we are root (it refuses to run as root)."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError as exc:
        raise SetupError(
            "running as root, PostgreSQL needs an unprivileged 'postgres' account: "
            "'apt-get install postgresql-15' creates it (or run ./baosong as another user)"
        ) from exc


def as_pg_account(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if is_root() else argv


def chown_to_pg_account(path: Path) -> None:
    if is_root():
        account = pg_account()
        os.chown(path, account.pw_uid, account.pw_gid)


def pid_alive(pid: int) -> bool:
    """True while the process runs; a zombie (exited, not yet reaped by its parent) counts as gone."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child that has exited: reap it
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def run_checked(argv: list[str], *, what: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SetupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout
