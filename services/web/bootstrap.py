"""Wires web: PostgreSQL (accounts, sessions, failed sign-ins), argon2id, the services it calls; no Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.web.adapters.passwords import Passwords
from services.web.adapters.store import PgAccounts, PgFailures, PgSessions
from services.web.adapters.upstream import Upstream
from services.web.domain.lockout import LockoutRule
from services.web.entrypoints import accounts_http, catalogue_http, pages, proxy_http, session_http
from services.web.entrypoints.guard import optional_session, signed_in
from services.web.entrypoints.headers import SecurityHeaders
from services.web.service_layer.accounts import Accounts
from services.web.service_layer.signin import Gate
from services.web.settings import WebSettings
from shared.db import Database
from shared.envelope import now_utc
from shared.http import bearer_auth
from shared.service import build_app


def create_app(settings: WebSettings) -> FastAPI:
    db = Database(settings.pg_dsn)
    upstream = Upstream(settings.service_urls, settings.jwt_signing_key.read_bytes(), settings.api_token_ttl_s)

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        async with db.connected():
            try:
                yield
            finally:
                await upstream.aclose()

    app = build_app(settings=settings, auth=bearer_auth(settings.jwt_public_key.read_bytes()), resources=resources,
                    ready=db.ping)
    app.add_middleware(SecurityHeaders)
    passwords = Passwords(time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib)
    account_store = PgAccounts(db)
    rule = LockoutRule(settings.signin_max_failures, timedelta(seconds=settings.signin_window_s),
                       timedelta(seconds=settings.signin_lock_s))
    gate = Gate(account_store, PgSessions(db), PgFailures(db), passwords, rule,
                timedelta(seconds=settings.session_ttl_s), now_utc)
    session = signed_in(gate, settings.allowed_origins)
    app.include_router(accounts_http.router(Accounts(account_store, passwords, upstream.unit_exists, now_utc),
                                            account_store, bearer_auth(settings.jwt_public_key.read_bytes())))
    app.include_router(session_http.router(gate, session, allowed_origins=settings.allowed_origins,
                                           ttl_s=settings.session_ttl_s, secure_cookie=settings.secure_cookie,
                                           max_failures=settings.signin_max_failures,
                                           window_s=settings.signin_window_s, clock=now_utc))
    app.include_router(proxy_http.router(upstream, session))
    app.include_router(catalogue_http.router(session))
    app.include_router(pages.router(optional_session(gate), front_end=settings.front_end_dir,
                                    echarts=settings.echarts_js))
    return app
