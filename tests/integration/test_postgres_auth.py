"""PostgreSQL trusts no login: every connection needs its role's password, over the socket as over the
loopback, and each service's role reaches its own schema only (contract, "Trust boundaries").

Most of these ask a private cluster made as ``./baosong up`` made one before passwords (initdb with
``trust``), then brought up by today's code: what it closes is what a fresh cluster never opens.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from deploy.database import DATABASE, SERVICES, provision, service_role, service_roles
from deploy.postgres_local import SUPERUSER, LocalPostgres, pg_bin_dir, trusting_lines
from deploy.proc import as_pg_account, chown_to_pg_account, free_port, run_checked
from tests.conftest import Infra

NO_PASSFILE = "/nonexistent/.pgpass"  # neither asyncpg nor psql may find a password anywhere else


def _trusting_cluster(pg: LocalPostgres) -> None:
    """A data home as the code before passwords left it: initdb --auth=trust, one row of data."""
    pg.home.mkdir(parents=True)
    pg.socket_dir.mkdir()
    for path in (pg.home, pg.socket_dir):
        chown_to_pg_account(path)
    run_checked(as_pg_account([str(pg_bin_dir() / "initdb"), "-D", str(pg.data_dir), "-U", SUPERUSER,
                               "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]), what="initdb")
    pg.init()
    run_checked(as_pg_account([str(pg_bin_dir() / "pg_ctl"), "-D", str(pg.data_dir), "-l", str(pg.log_file),
                               "-w", "start"]), what="pg_ctl start")

    async def store_a_row() -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=pg.port, user=SUPERUSER, database="postgres",
                                     passfile=NO_PASSFILE)
        await conn.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('from before passwords')")
        await conn.close()

    asyncio.run(store_a_row())
    pg.stop()


@pytest.fixture(scope="module")
def upgraded() -> Iterator[LocalPostgres]:
    """The trusting cluster after ``up``'s steps: init, start, provision the roles with their passwords."""
    root = Path(tempfile.mkdtemp(prefix="baosong-pgauth-"))
    os.chmod(root, 0o755)
    pg = LocalPostgres(root / "postgres", free_port())
    try:
        _trusting_cluster(pg)
        assert trusting_lines(pg.hba_file.read_text())
        pg.init()
        pg.start()
        asyncio.run(provision(pg.superuser_dsn, pg.passwords(service_roles())))
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def _hosts(pg: LocalPostgres) -> dict[str, str]:
    return {"tcp": "127.0.0.1", "socket": str(pg.socket_dir)}


async def test_up_closes_a_cluster_made_before_passwords_and_keeps_its_data(upgraded: LocalPostgres) -> None:
    assert trusting_lines(upgraded.hba_file.read_text()) == []
    conn = await asyncpg.connect(upgraded.superuser_dsn)
    try:
        assert await conn.fetchval("SELECT note FROM kept") == "from before passwords"
    finally:
        await conn.close()


@pytest.mark.parametrize("over", ["tcp", "socket"])
@pytest.mark.parametrize("password", [None, "wrong"], ids=["no password", "wrong password"])
async def test_asyncpg_without_the_password_is_refused(upgraded: LocalPostgres, over: str, password: str | None,
                                                       ) -> None:
    for role, database in ((SUPERUSER, "postgres"), (service_role("archive"), DATABASE)):
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(host=_hosts(upgraded)[over], port=upgraded.port, user=role, database=database,
                                  password=password, passfile=NO_PASSFILE)


@pytest.mark.parametrize("over", ["tcp", "socket"])
def test_psql_without_the_password_is_refused_and_with_it_gets_in(upgraded: LocalPostgres, over: str) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql (postgresql-client) is not installed")
    argv = [psql, "-w", "-h", _hosts(upgraded)[over], "-p", str(upgraded.port), "-U", SUPERUSER, "-d", "postgres",
            "-tAc", "SELECT current_user"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"PGPASSFILE": NO_PASSFILE}
    refused = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "password" in refused.stderr
    wrong = subprocess.run(argv, env=env | {"PGPASSWORD": "wrong"}, capture_output=True, text=True, check=False)
    assert wrong.returncode != 0
    assert "password authentication failed" in wrong.stderr
    password = upgraded.passwords([SUPERUSER])[SUPERUSER]
    let_in = subprocess.run(argv, env=env | {"PGPASSWORD": password}, capture_output=True, text=True, check=False)
    assert (let_in.returncode, let_in.stdout.strip()) == (0, SUPERUSER), let_in.stderr


def test_the_passwords_file_is_readable_by_its_owner_only(upgraded: LocalPostgres) -> None:
    assert upgraded.password_file.stat().st_mode & 0o777 == 0o600
    assert upgraded.password_file.stat().st_uid == os.geteuid()
    assert set(json.loads(upgraded.password_file.read_text())) == {SUPERUSER, *service_roles()}
    assert not (upgraded.home / ".initdb-password").exists()


async def test_a_service_role_cannot_connect_to_the_maintenance_database(infra: Infra) -> None:
    dsn = infra.service_dsn("intake").rsplit("/", 1)[0] + "/postgres"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(dsn)


async def test_the_suites_own_cluster_refuses_the_owner_without_a_password(infra: Infra) -> None:
    scheme, rest = infra.owner_dsn.split("://", 1)
    without = f"{scheme}://{SUPERUSER}@{rest.split('@', 1)[1]}"
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(without, passfile=NO_PASSFILE)


async def _tables(infra: Infra) -> dict[str, list[str]]:
    """Every table and view of every service's schema, as the catalogue lists them."""
    conn = await asyncpg.connect(infra.owner_dsn)
    try:
        rows = await conn.fetch("SELECT table_schema, table_name FROM information_schema.tables"
                                " WHERE table_schema = ANY($1::text[])", list(SERVICES))
    finally:
        await conn.close()
    tables: dict[str, list[str]] = {service: [] for service in SERVICES}
    for row in rows:
        tables[row["table_schema"]].append(f'{row["table_schema"]}."{row["table_name"]}"')
    return tables


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_can_neither_read_nor_write_another_services_schema(infra: Infra, service: str,
                                                                                 ) -> None:
    tables = await _tables(infra)
    conn = await asyncpg.connect(infra.service_dsn(service))
    try:
        assert await conn.fetchval("SELECT current_user") == service_role(service)
        for table in tables[service]:  # its own: at least the grants its migrations give (control)
            if await conn.fetchval("SELECT has_table_privilege($1, 'SELECT')", table):
                await conn.fetch(f"SELECT * FROM {table} LIMIT 0")
        foreign = [t for other, names in tables.items() if other != service for t in names]
        assert foreign
        for table in foreign:
            for statement in (f"SELECT * FROM {table} LIMIT 0", f"INSERT INTO {table} DEFAULT VALUES",
                              f"DELETE FROM {table}"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(statement)
        for schema in (*SERVICES, "public"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE TABLE {schema}.intruder (x int)")
    finally:
        await conn.close()
