"""Generated passwords kept in a JSON file that only its owner may read (mode 0600)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from deploy.proc import SetupError

OWNER_ONLY = 0o600


def read_secrets(path: Path) -> dict[str, str]:
    """Every name → secret in ``path`` (empty if the file does not exist yet)."""
    if not path.exists():
        return {}
    kept: dict[str, str] = json.loads(path.read_text())
    return kept


def secret(path: Path, name: str) -> str:
    """The secret ``name`` from ``path``; a SetupError naming the file when it is not there."""
    kept = read_secrets(path)
    if name not in kept:
        raise SetupError(f"no password for {name!r} in {path}: run './baosong up' first (it creates them)")
    return kept[name]


def ensure_secrets(path: Path, names: Iterable[str]) -> dict[str, str]:
    """The secrets ``names`` from ``path``, generating (and keeping) any that are missing.

    The file is written whole to a temporary file created 0600 and renamed over the old one, so it is
    never readable by others, not even for a moment, and never half-written.
    """
    wanted = list(names)
    kept = read_secrets(path)
    missing = [name for name in wanted if name not in kept]
    if missing:
        kept.update({name: secrets.token_urlsafe(32) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
        with os.fdopen(fd, "w") as f:
            json.dump(kept, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    if path.exists() and path.stat().st_mode & 0o777 != OWNER_ONLY:
        path.chmod(OWNER_ONLY)
    return {name: kept[name] for name in wanted}
