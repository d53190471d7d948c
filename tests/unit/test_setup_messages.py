"""A newcomer's machine may lack a tool: the message must name the package to install."""

import subprocess
import time

import pytest

from deploy.proc import SetupError, pid_alive, require_binary


def test_missing_binary_names_the_package_to_install() -> None:
    with pytest.raises(SetupError, match=r"apt-get install some-package"):
        require_binary("baosong-no-such-binary", "some-package")


def test_present_binary_is_found() -> None:
    assert require_binary("sh", "dash").endswith("/sh")


def test_an_exited_child_counts_as_stopped_even_before_it_is_reaped() -> None:
    child = subprocess.Popen(["sleep", "0.2"])
    assert pid_alive(child.pid)
    time.sleep(0.5)
    assert not pid_alive(child.pid)


def test_pytest_options_may_come_before_a_path() -> None:
    from deploy.cli import parse

    assert parse(["test", "-q", "-x", "tests/unit"]).pytest_args == ["-q", "-x", "tests/unit"]
    assert parse(["test", "tests/unit", "-q"]).pytest_args == ["tests/unit", "-q"]
    with pytest.raises(SystemExit):
        parse(["status", "--bogus"])
