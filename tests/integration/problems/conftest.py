"""All five services as real processes on the session's broker and database, with tokens that pass."""

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from deploy.web_assets import ensure_echarts
from tests.conftest import Infra
from tests.support.services import running_service
from tests.support.units import register_units
from tests.support.web import web_env

SERVICES = ("intake", "approval", "escalation", "archive", "assessment", "web")


@pytest.fixture(scope="package")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Service name → base URL; the contract's units (town-a-office under county-x-office) registered."""
    ensure_echarts()  # the archive's monthly report inlines it
    logs = tmp_path_factory.mktemp("logs")
    with ExitStack() as stack:
        urls = {name: stack.enter_context(running_service(infra, name, logs)) for name in SERVICES if name != "web"}
        urls["web"] = stack.enter_context(running_service(infra, "web", logs, **web_env(infra, dict(urls))))
        register_units(urls["intake"], infra.token(unit=None, role="admin"))
        yield urls


@pytest.fixture(scope="package")
def admin(infra: Infra) -> dict[str, str]:
    return {"Authorization": f"Bearer {infra.token(unit=None, role='admin')}"}


@pytest.fixture(scope="package")
def reporter(infra: Infra) -> dict[str, str]:
    """A reporter of a registered unit (town-a-office)."""
    return {"Authorization": f"Bearer {infra.token(unit='town-a-office', role='reporter')}"}
