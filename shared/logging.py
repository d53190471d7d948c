"""structlog JSON logging; event, incident and correlation ids are bound per message via contextvars."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import structlog


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stderr, one per log call, with the service name and the bound ids."""
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


@contextmanager
def bound_ids(
    *, event_id: str | None = None, incident_id: str | None = None, correlation_id: str | None = None
) -> Iterator[None]:
    """Bind the ids of the event being handled to every log line written inside the block."""
    with structlog.contextvars.bound_contextvars(
        event_id=event_id, incident_id=incident_id, correlation_id=correlation_id
    ):
        yield


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
