"""A private PostgreSQL cluster from the machine's binaries, in a data directory this stack owns."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import asyncpg

from deploy.proc import SetupError, as_pg_account, chown_to_pg_account, run_checked, wait_for_port
from deploy.scram import scram_verifier
from deploy.secret_file import OWNER_ONLY, ensure_secrets, read_secrets, secret

SUPERUSER = "postgres"

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
password_encryption = 'scram-sha-256'
"""

# Every login needs a password, over the socket as over the loopback; no line trusts anyone.
HBA = """# Written by ./baosong: every connection authenticates with a password (scram-sha-256).
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     scram-sha-256
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
"""


def trusting_lines(hba: str) -> list[str]:
    """The lines of a pg_hba.conf that let a client in without a password (method ``trust``)."""
    return [line for line in hba.splitlines()
            if line.split("#", 1)[0].split()[-1:] == ["trust"]]


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
    """One cluster: ``home`` holds ``data/``, ``sock/`` and ``postgres.log``, all owned by its account, and
    ``passwords.json`` (mode 0600, owned by whoever runs ./baosong): the superuser's and the login roles'
    generated passwords."""

    home: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        return self.home / "sock"

    @property
    def password_file(self) -> Path:
        return self.home / "passwords.json"

    @property
    def hba_file(self) -> Path:
        return self.data_dir / "pg_hba.conf"

    @property
    def superuser_dsn(self) -> str:
        return self.dsn(SUPERUSER, "postgres")

    def dsn(self, role: str, database: str, *, with_password: bool = True) -> str:
        """The role's DSN over the loopback, with its password from ``passwords.json`` (not for printing)."""
        login = f"{role}:{quote(secret(self.password_file, role), safe='')}" if with_password else role
        return f"postgresql://{login}@127.0.0.1:{self.port}/{database}"

    def passwords(self, roles: list[str]) -> dict[str, str]:
        """The roles' passwords, generated and kept in ``passwords.json`` the first time they are asked for."""
        return ensure_secrets(self.password_file, roles)

    def init(self) -> None:
        """Create the cluster once (scram-sha-256 everywhere, the superuser's password generated); later
        calls just set the port. A cluster made before passwords (trust) is closed by ``start``."""
        bin_dir = pg_bin_dir()
        self.home.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        for path in (self.home, self.socket_dir):
            chown_to_pg_account(path)
        if subprocess.run(as_pg_account(["test", "-w", str(self.home)]), check=False).returncode != 0:
            raise SetupError(
                f"the PostgreSQL account cannot write {self.home}: every folder above it must be "
                "searchable by it (chmod o+x), or set BAOSONG_HOME to a folder elsewhere"
            )
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(bin_dir)
        elif SUPERUSER not in read_secrets(self.password_file) and not trusting_lines(self.hba_file.read_text()):
            raise SetupError(
                f"the cluster in {self.data_dir} asks for passwords, but {self.password_file}, which keeps "
                "them, is missing: restore it from where the data home was copied or backed up"
            )
        conf = self.data_dir / "baosong.conf"
        conf.write_text(CONF.format(port=self.port, socket_dir=self.socket_dir))
        chown_to_pg_account(conf)
        main_conf = self.data_dir / "postgresql.conf"
        if "include_if_exists = 'baosong.conf'" not in main_conf.read_text():
            with main_conf.open("a") as f:
                f.write("\ninclude_if_exists = 'baosong.conf'\n")

    def _initdb(self, bin_dir: Path) -> None:
        """initdb with scram-sha-256 for every line of pg_hba.conf and the superuser's generated password,
        handed over in a 0600 file readable by the PostgreSQL account and removed straight after."""
        password = self.passwords([SUPERUSER])[SUPERUSER]
        pwfile = self.home / ".initdb-password"
        pwfile.unlink(missing_ok=True)
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(password + "\n")
            chown_to_pg_account(pwfile)
            run_checked(
                as_pg_account([
                    str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                    "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8",
                ]),
                what="initdb",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._write_hba()

    def _write_hba(self) -> None:
        self.hba_file.write_text(HBA)
        self.hba_file.chmod(OWNER_ONLY)
        chown_to_pg_account(self.hba_file)

    def start(self) -> bool:
        """Start the cluster (if it is not running), then close a cluster that still trusts logins;
        True when it did (clients connected before, without passwords, cannot log in again)."""
        if not self.running():
            run_checked(
                as_pg_account([
                    str(pg_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                    "-w", "-t", "60", "start",
                ]),
                what=f"starting PostgreSQL (log: {self.log_file})",
            )
            wait_for_port(self.port, timeout_s=30, what="PostgreSQL", log=self.log_file)
        if not trusting_lines(self.hba_file.read_text()):
            return False
        asyncio.run(self._close_trust())
        return True

    async def _close_trust(self) -> None:
        """A data home from before passwords: its cluster was initialised with ``trust``. While that
        still lets us in, give the superuser its generated password (kept first, so a crash half-way
        leaves nothing lost), then replace pg_hba.conf with scram-sha-256 lines and reload."""
        password = self.passwords([SUPERUSER])[SUPERUSER]
        conn = await asyncpg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, database="postgres")
        try:
            await conn.execute(f"ALTER ROLE {SUPERUSER} PASSWORD '{scram_verifier(password)}'")
            self._write_hba()
            if not await conn.fetchval("SELECT pg_reload_conf()"):
                raise SetupError(f"PostgreSQL did not reload {self.hba_file}; see {self.log_file}")
        finally:
            await conn.close()

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
