"""One real approval process and one real archive process for all approval tests, on the session's infra."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack

import pytest

from tests.conftest import Infra
from tests.integration.approval.support import Stack
from tests.support.kafka import acting_broker
from tests.support.services import running_service


@pytest.fixture(scope="package")
async def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    logs = tmp_path_factory.mktemp("approval-logs")
    broker = acting_broker(infra, client_id="test-approval")
    await broker.start()
    s = Stack(infra, logs, broker)
    with ExitStack() as archive:
        archive.enter_context(running_service(infra, "archive", logs))
        s.start_approval()
        try:
            yield s
        finally:
            s.stop_approval()
            await broker.stop()
