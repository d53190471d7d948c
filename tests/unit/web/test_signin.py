"""Signing in, lock-out and session expiry through the gate, with in-memory stores."""

from datetime import timedelta

import pytest

from services.web.domain.accounts import Account
from services.web.domain.lockout import LockoutRule
from services.web.domain.sessions import session_id
from services.web.service_layer.signin import Gate, Locked, WrongCredentials
from tests.unit.web.fakes import Clock, FakeAccounts, FakeFailures, FakeSessions, PlainHashing

ZHANG = Account("zhangwei", "张伟", "county-x-office", ("duty_officer",), "13800000000", "internal")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stores() -> tuple[FakeAccounts, FakeSessions, FakeFailures]:
    accounts = FakeAccounts()
    accounts.rows["zhangwei"] = (ZHANG, "plain:right-password")
    return accounts, FakeSessions(), FakeFailures()


@pytest.fixture
def gate(stores: tuple[FakeAccounts, FakeSessions, FakeFailures], clock: Clock) -> Gate:
    accounts, sessions, failures = stores
    rule = LockoutRule(5, timedelta(minutes=15), timedelta(minutes=15))
    return Gate(accounts, sessions, failures, PlainHashing(), rule, timedelta(hours=8), clock)


async def test_the_right_password_opens_a_session_kept_only_by_its_hash(
        gate: Gate, stores: tuple[FakeAccounts, FakeSessions, FakeFailures]) -> None:
    signed = await gate.sign_in("zhangwei", "right-password")
    assert signed.session.account == ZHANG
    assert list(stores[1].rows) == [session_id(signed.cookie)] != [signed.cookie]
    assert signed.session.csrf_token and signed.session.csrf_token != signed.cookie
    assert await gate.session(signed.cookie) == signed.session


async def test_a_wrong_password_says_how_many_attempts_are_left(gate: Gate) -> None:
    with pytest.raises(WrongCredentials) as wrong:
        await gate.sign_in("zhangwei", "wrong")
    assert wrong.value.attempts_left == 4


async def test_five_wrong_passwords_lock_and_then_even_the_right_one_is_refused_until_the_time_said(
        gate: Gate, clock: Clock) -> None:
    start = clock.now
    for _ in range(4):
        with pytest.raises(WrongCredentials):
            await gate.sign_in("zhangwei", "wrong")
        clock.advance(seconds=10)
    with pytest.raises(Locked) as locked:
        await gate.sign_in("zhangwei", "wrong")
    assert locked.value.until == start + timedelta(seconds=40, minutes=15)
    clock.advance(minutes=14)
    with pytest.raises(Locked):
        await gate.sign_in("zhangwei", "right-password")
    clock.advance(minutes=1, seconds=1)
    assert (await gate.sign_in("zhangwei", "right-password")).session.account == ZHANG


async def test_an_unknown_login_locks_the_same_way(gate: Gate) -> None:
    for _ in range(4):
        with pytest.raises(WrongCredentials):
            await gate.sign_in("nobody", "x")
    with pytest.raises(Locked):
        await gate.sign_in("nobody", "x")


async def test_a_successful_sign_in_forgets_the_earlier_failures(gate: Gate) -> None:
    for _ in range(4):
        with pytest.raises(WrongCredentials):
            await gate.sign_in("zhangwei", "wrong")
    await gate.sign_in("zhangwei", "right-password")
    with pytest.raises(WrongCredentials) as wrong:
        await gate.sign_in("zhangwei", "wrong")
    assert wrong.value.attempts_left == 4


async def test_a_session_ends_at_its_expiry_and_is_deleted(
        gate: Gate, clock: Clock, stores: tuple[FakeAccounts, FakeSessions, FakeFailures]) -> None:
    signed = await gate.sign_in("zhangwei", "right-password")
    clock.advance(hours=7, minutes=59)
    assert await gate.session(signed.cookie) is not None
    clock.advance(minutes=1)
    assert await gate.session(signed.cookie) is None
    assert stores[1].rows == {}


async def test_signing_out_deletes_the_session(gate: Gate) -> None:
    signed = await gate.sign_in("zhangwei", "right-password")
    await gate.sign_out(signed.session)
    assert await gate.session(signed.cookie) is None
    assert await gate.session(None) is None and await gate.session("made-up") is None
