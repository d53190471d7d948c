"""A private PostgreSQL cluster from the machine's binaries, in a data directory this stack owns."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.proc import SetupError, as_pg_account, chown_to_pg_account, run_checked, wait_for_port

CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
max_connections = 200
shared_buffers = 128MB
fsync = on
synchronous_commit = on
timezone = 'UTC'
log_timezone = 'UTC'
"""


def pg_bin_dir() -> Path:
    """Where initdb and pg_ctl live (PostgreSQL 15 preferred; not always on PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise SetupError("PostgreSQL server binaries not found: install them with 'apt-get install postgresql-15'")
    return Path(candidates[0]).parent


@dataclass(frozen=True)
class LocalPostgres:
    """One cluster: ``home`` holds ``data/``, ``sock/`` and ``postgres.log``, all owned by its account."""

    home: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    @property
    def superuser_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def dsn(self, role: str, database: str) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        """Create the cluster once (trust on loopback only); later calls just set the port."""
        bin_dir = pg_bin_dir()
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "sock").mkdir(exist_ok=True)
        for path in (self.home, self.home / "sock"):
            chown_to_pg_account(path)
        if subprocess.run(as_pg_account(["test", "-w", str(self.home)]), check=False).returncode != 0:
            raise SetupError(
                f"the PostgreSQL account cannot write {self.home}: every folder above it must be "
                "searchable by it (chmod o+x), or set BAOSONG_HOME to a folder elsewhere"
            )
        if not (self.data_dir / "PG_VERSION").exists():
            run_checked(
                as_pg_account([
                    str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
                ]),
                what="initdb",
            )
        conf = self.data_dir / "baosong.conf"
        conf.write_text(CONF.format(port=self.port, socket_dir=self.home / "sock"))
        chown_to_pg_account(conf)
        main_conf = self.data_dir / "postgresql.conf"
        if "include_if_exists = 'baosong.conf'" not in main_conf.read_text():
            with main_conf.open("a") as f:
                f.write("\ninclude_if_exists = 'baosong.conf'\n")

    def start(self) -> None:
        if self.running():
            return
        run_checked(
            as_pg_account([
                str(pg_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", "60", "start",
            ]),
            what=f"starting PostgreSQL (log: {self.log_file})",
        )
        wait_for_port(self.port, timeout_s=30, what="PostgreSQL", log=self.log_file)

    def running(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            os.kill(int(pid_file.read_text().split()[0]), 0)
        except (ProcessLookupError, ValueError):
            return False
        return True

    def stop(self) -> None:
        if not self.running():
            return
        run_checked(
            as_pg_account([str(pg_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
            what="stopping PostgreSQL",
        )

    def memory_kib(self) -> int:
        """Resident memory of the postmaster and its children (for the notes on memory at rest)."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return 0
        root = int(pid_file.read_text().split()[0])
        total = 0
        for status in glob.glob("/proc/[0-9]*/status"):
            try:
                text = Path(status).read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            pid, ppid = int(fields["Pid"]), int(fields["PPid"])
            if (pid == root or ppid == root) and "VmRSS" in fields:
                total += int(fields["VmRSS"].split()[0])
        return total
