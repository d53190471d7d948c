"""The repository stands on its own: no tracked file sends a reader to documents a clone does not have.

The outside folder next to a checkout (its docs, its seed documents, its benchmarks) is not part of the
project; the reference is docs/api.md and the rules with their sources named by title are docs/rules.md.
Only ``.ci/`` (the machinery around the project) may name that folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The outside folder by relative path, its docs or seeds by name, or a seed document's file name.
OUTSIDE = re.compile(r"\.\./shared|shared/(?:seeds|docs)\b|\b\d{3}_[0-9a-f]{16}\.txt")
EXEMPT = (".ci/",)


def tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in listing.stdout.decode().split("\0") if name and not name.startswith(EXEMPT)]


def outside_references(text: str) -> list[str]:
    """Each line of ``text`` that names the outside folder, numbered."""
    return [f"{number}: {line.strip()[:160]}" for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)]


def test_the_pattern_finds_each_kind_of_outside_reference() -> None:
    folder = "shared"  # spelled apart, so this file does not reference the folder itself
    lines = [f"see [contract](../{folder}/docs/contract.md)", f"cited from ../../{folder}/docs/regulations.md",
             f"seeds in {folder}/seeds/002_x.txt", "sources: [000_" + "f3eff66d8aad2c79.txt]",
             f"run ../{folder}/bench/x.py"]
    assert len(outside_references("\n".join(lines))) == len(lines)
    assert outside_references("shared/packs/county-2h-10h.yaml, shared/policy.py, 001_event_store.sql") == []


def test_no_tracked_file_references_the_outside_folder() -> None:
    found = {}
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file():
            continue
        hits = outside_references(path.read_bytes().decode("utf-8", errors="replace"))
        if hits:
            found[name] = hits
    assert not found, ("these files send readers outside the repository; link docs/api.md or docs/rules.md,"
                       f" or name the document by its title: {found}")
