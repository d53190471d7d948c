"""The heads file: every chain head the archive published, kept outside PostgreSQL.

JSON lines, one signed head per line, only ever appended (``O_APPEND``) and fsynced before the head is
published to Kafka, so a head on the topic is always in the file too. The same format is what
``./baosong heads export`` hands an outside party and what ``./baosong verify --heads FILE`` reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from services.archive.domain.anchor import PublishedHead


def append(path: Path, record: Mapping[str, Any]) -> None:
    """Append one record as a line and make it durable (the file, and its folder entry when new)."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _parse(number: int, text: bytes) -> PublishedHead:
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    return PublishedHead(number, record if isinstance(record, dict) else None)


def read(path: Path) -> list[PublishedHead]:
    """Every non-blank line of the file, numbered from 1."""
    with path.open("rb") as f:
        return [_parse(n, line) for n, line in enumerate(f, 1) if line.strip()]


def last_head(path: Path, tail_bytes: int = 4096) -> tuple[int, str] | None:
    """(position, hash) of the file's last head (read from its end), or None when there is none yet."""
    if not path.exists():
        return None
    with path.open("rb") as f:
        f.seek(max(f.seek(0, os.SEEK_END) - tail_bytes, 0))
        lines = [line for line in f.read().splitlines() if line.strip()]
    record = _parse(0, lines[-1]).record if lines else None
    if record is None or type(record.get("position")) is not int or not isinstance(record.get("hash"), str):
        return None
    return record["position"], record["hash"]
