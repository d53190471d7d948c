"""The demo stack is apart from the real one: its own data home and ports, the only stack with the generator."""

from pathlib import Path

import pytest

from deploy.cli import parser
from deploy.stack import DEFAULT_PORTS, StackConfig


def test_a_plain_environment_is_the_real_stack_without_the_demo() -> None:
    for environ in ({"BAOSONG_HOME": "/data/bs"}, {"BAOSONG_HOME": "/data/bs", "BAOSONG_DEMO": "0"}):
        cfg = StackConfig.from_env(environ)
        assert not cfg.demo and cfg.home == Path("/data/bs") and cfg.ports == DEFAULT_PORTS


def test_the_demo_stack_has_its_own_home_and_ports() -> None:
    real = StackConfig.from_env({"BAOSONG_HOME": "/data/bs", "BAOSONG_INTAKE_PORT": "8201"})
    demo = StackConfig.from_env({"BAOSONG_HOME": "/data/bs", "BAOSONG_DEMO": "1", "BAOSONG_INTAKE_PORT": "8201"})
    assert demo.demo and demo.home == Path("/data/bs-demo")
    assert demo.ports == {name: port + 100 for name, port in DEFAULT_PORTS.items()}  # BAOSONG_INTAKE_PORT: real only
    assert not set(demo.ports.values()) & set(StackConfig.from_env({}).ports.values())
    for folder in (demo.postgres.home, demo.kafka.home, demo.heads_file, demo.private_key):
        assert not folder.is_relative_to(real.home)


def test_the_demo_stacks_ports_are_overridden_on_their_own() -> None:
    demo = StackConfig.from_env({"BAOSONG_DEMO": "yes", "BAOSONG_DEMO_POSTGRES_PORT": "6000"})
    assert demo.ports["postgres"] == 6000 and demo.ports["intake"] == 8201


@pytest.mark.parametrize(("argv", "demo"), [
    (["up"], False), (["up", "--detach"], False), (["up", "--no-demo"], False), (["up", "--demo"], True),
    (["demo"], True), (["down", "--demo"], True), (["status", "--json", "--demo"], True),
    (["token", "--demo", "--role", "admin"], True), (["units", "load", "--demo", "units.yaml"], True),
    (["report", "monthly", "--period", "2026-11", "--demo"], True), (["parked", "--demo"], True),
])
def test_only_demo_or_the_demo_flag_addresses_the_demo_stack(argv: list[str], demo: bool) -> None:
    assert getattr(parser().parse_args(argv), "demo", False) is demo
