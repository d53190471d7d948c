"""intake, archive and web as real processes on the session's broker and database; the contract's units."""

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.conftest import Infra
from tests.support.services import running_service
from tests.support.units import register_units
from tests.support.web import web_env


@pytest.fixture(scope="package")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs = tmp_path_factory.mktemp("logs")
    with ExitStack() as stack:
        urls = {name: stack.enter_context(running_service(infra, name, logs)) for name in ("intake", "archive")}
        register_units(urls["intake"], infra.token(unit=None, role="admin"))
        urls["web"] = stack.enter_context(running_service(infra, "web", logs, **web_env(infra, dict(urls))))
        yield urls
