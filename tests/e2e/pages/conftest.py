from collections.abc import Iterator

import pytest

from tests.conftest import Infra
from tests.integration.pages.fixtures import archive, scenario
from tests.support.services import running_service
from tests.support.web import web_env

__all__ = ["archive", "scenario", "web"]


@pytest.fixture(scope="module")
def web(infra: Infra, archive: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pages: web calling this archive, assessment (the statistics) and intake (whose directory accounts'
    units are checked against)."""
    logs = tmp_path_factory.mktemp("web-logs")
    with running_service(infra, "intake", logs) as intake, running_service(infra, "assessment", logs) as assessment, \
            running_service(infra, "web", logs, **web_env(infra, {"archive": archive, "intake": intake,
                                                                  "assessment": assessment})) as url:
        yield url
