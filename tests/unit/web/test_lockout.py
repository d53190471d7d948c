from datetime import UTC, datetime, timedelta

from services.web.domain.lockout import LockoutRule

RULE = LockoutRule(max_failures=5, window=timedelta(minutes=15), lock=timedelta(minutes=15))
T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def minutes(*ms: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in ms]


def test_four_failures_do_not_lock_and_leave_one_attempt() -> None:
    failures = minutes(0, 1, 2, 3)
    assert RULE.locked_until(failures, T0 + timedelta(minutes=3)) is None
    assert RULE.attempts_left(failures, T0 + timedelta(minutes=3)) == 1


def test_the_fifth_failure_within_the_window_locks_for_the_lock_time_from_it() -> None:
    failures = minutes(0, 1, 2, 3, 10)
    assert RULE.locked_until(failures, T0 + timedelta(minutes=10)) == T0 + timedelta(minutes=25)
    assert RULE.locked_until(failures, T0 + timedelta(minutes=24, seconds=59)) == T0 + timedelta(minutes=25)
    assert RULE.locked_until(failures, T0 + timedelta(minutes=25)) is None


def test_five_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    failures = minutes(0, 4, 8, 12, 16)
    assert RULE.locked_until(failures, T0 + timedelta(minutes=16)) is None


def test_after_the_lock_the_login_has_its_attempts_back() -> None:
    failures = minutes(0, 1, 2, 3, 4)
    assert RULE.attempts_left(failures, T0 + timedelta(minutes=19)) == 5
