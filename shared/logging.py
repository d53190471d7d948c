"""structlog JSON logging; event, incident and correlation ids are bound per message via contextvars."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog


def configure_logging(service: str, level: str = "INFO", log_file: Path | None = None,
                      max_bytes: int = 50_000_000) -> None:
    """JSON lines, one per log call, with the service name and the bound ids: on stderr, or in ``log_file``
    rotated at ``max_bytes`` (three old files kept), so no loop can fill the disk."""
    handler: logging.Handler = (
        logging.handlers.RotatingFileHandler(log_file, maxBytes=max_bytes, backupCount=3, encoding="utf-8")
        if log_file is not None else logging.StreamHandler(sys.stderr))
    logging.basicConfig(format="%(message)s", handlers=[handler], level=level.upper(), force=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
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
