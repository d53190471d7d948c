"""The stack's database: one ``baosong`` database, one schema and one login role per service.

Migrations are plain SQL files in ``services/<name>/adapters/migrations/``, applied in name order
by the database owner (never by the services: the archive's role may only SELECT and INSERT).
Each role logs in with its own password and may connect to the ``baosong`` database only; what it
may do there is what its service's migrations grant it (usage of its own schema, nothing else).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from deploy.scram import scram_verifier
from shared.producers import SERVICES as KAFKA_SERVICES

#: Every service with a schema and a login; web (the pages) has no Kafka consumer, so no parking table either.
SERVICES = (*KAFKA_SERVICES, "web")
DATABASE = "baosong"
SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
#: Migrations every service's schema gets (``{schema}`` and ``{role}`` filled in), e.g. the parking table.
SHARED_MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "shared" / "migrations"


def service_role(service: str) -> str:
    return f"{service}_svc"


def service_roles() -> list[str]:
    return [service_role(service) for service in SERVICES]


def login_dsn(dsn: str, role: str, password: str) -> str:
    """``dsn``'s server and database, logging in as ``role`` with ``password``."""
    url = urlsplit(dsn)
    server = url.netloc.rsplit("@", 1)[-1]
    return urlunsplit(url._replace(netloc=f"{quote(role, safe='')}:{quote(password, safe='')}@{server}"))


async def provision(superuser_dsn: str, passwords: Mapping[str, str]) -> None:
    """Create the database and the service roles if missing, give each role its password (``passwords``:
    role → password, one for every service role) and the right to connect to this database only, then
    apply every pending migration."""
    conn = await asyncpg.connect(superuser_dsn)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await conn.execute(f'CREATE DATABASE "{DATABASE}" ENCODING UTF8 TEMPLATE template0')
        await conn.execute(f'REVOKE ALL ON DATABASE "{DATABASE}" FROM PUBLIC')
        await conn.execute("REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC")
        for role in service_roles():
            verb = "ALTER" if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role) else "CREATE"
            await conn.execute(f'{verb} ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
                               f" PASSWORD '{scram_verifier(passwords[role])}'")
            await conn.execute(f'GRANT CONNECT ON DATABASE "{DATABASE}" TO "{role}"')
    finally:
        await conn.close()
    db_dsn = superuser_dsn.rsplit("/", 1)[0] + f"/{DATABASE}"
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
            " service text NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
            " PRIMARY KEY (service, name))"
        )
        for service in SERVICES:
            await _migrate(conn, service)
    finally:
        await conn.close()


async def _migrate(conn: asyncpg.Connection, service: str) -> None:
    """The service's own migrations, then the shared ones for its schema (recorded as ``shared/<name>``)."""
    done = {r["name"] for r in await conn.fetch(
        "SELECT name FROM public.schema_migrations WHERE service = $1", service)}
    own = [(path.name, path.read_text()) for path in sorted((SERVICES_DIR / service / "adapters" / "migrations")
                                                            .glob("*.sql"))]
    shared = [(f"shared/{path.name}", path.read_text().replace("{schema}", service)
               .replace("{role}", service_role(service))) for path in sorted(SHARED_MIGRATIONS_DIR.glob("*.sql"))
              if service in KAFKA_SERVICES]
    for name, sql in own + shared:
        if name in done:
            continue
        async with conn.transaction():
            await conn.execute(sql)
            await conn.execute("INSERT INTO public.schema_migrations(service, name) VALUES ($1, $2)", service, name)
