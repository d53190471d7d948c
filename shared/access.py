"""Classification (密级) and clearance: who may read an item's content, and the stub everyone else gets.

Pure: every API, page, queue, board, stream and export asks this one module, so the rule is written once.

- ``classification`` ∈ public < internal (内部, the default) < secret (秘密) < confidential (机密) <
  top_secret (绝密). A token's ``clearance`` is on the same scale (default internal).
- A reader whose clearance is below an item's classification gets ``withhold(item)``: ids, units, times,
  grade, ``classification`` and ``"withheld": true`` — no title, text or figures.
- An item with no classification is ``internal``; one naming a level this module does not know is
  treated as the highest, so a typo never shows more than it should.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, get_args

Level = Literal["public", "internal", "secret", "confidential", "top_secret"]
LEVELS: Final[tuple[Level, ...]] = get_args(Level)
DEFAULT: Final[Level] = "internal"
NAMES_ZH: Final[dict[Level, str]] = {"public": "公开", "internal": "内部", "secret": "秘密",
                                     "confidential": "机密", "top_secret": "绝密"}

#: Keys a stub keeps: identifiers, units and times (by their names' endings), the grade and the level.
KEPT_ENDINGS: Final = ("_id", "_at", "_unit", "_units")
KEPT_KEYS: Final = frozenset({"grade", "classification", "forwarded_to", "acknowledged_by"})

Doc = dict[str, Any]


def level_of(value: object) -> Level:
    """The classification an item carries: its own, ``internal`` when absent, the highest when unknown."""
    if value is None:
        return DEFAULT
    return next((level for level in LEVELS if level == value), LEVELS[-1])


def rank(level: object) -> int:
    return LEVELS.index(level_of(level))


def may_read(clearance: object, classification: object) -> bool:
    """Whether a reader cleared to ``clearance`` may see the content of an item at ``classification``."""
    return rank(clearance) >= rank(classification)


def highest(levels: Iterable[object]) -> Level:
    """The most restrictive of ``levels`` (``internal`` for none): an incident is as secret as its reports."""
    return max((level_of(v) for v in levels), key=LEVELS.index, default=DEFAULT)


def _kept(key: str) -> bool:
    return key in KEPT_KEYS or key.endswith(KEPT_ENDINGS)


def withhold(item: Mapping[str, Any], classification: object = None) -> Doc:
    """The stub of ``item``: its ids, units, times and grade, its classification and ``withheld``.

    ``classification`` names the level when the item does not carry it itself (an event of a report)."""
    stub: Doc = {k: v for k, v in item.items() if _kept(k)}
    location = item.get("location")
    if isinstance(location, Mapping) and "unit_id" in location:
        stub["location"] = {"unit_id": location["unit_id"]}
    stub["classification"] = level_of(item.get("classification", classification))
    stub["withheld"] = True
    return stub


def shown(item: Mapping[str, Any], clearance: object, classification: object = None) -> Doc:
    """``item`` itself when the reader may read it, else its stub (``classification``: as for ``withhold``)."""
    level = item.get("classification", classification)
    return dict(item) if may_read(clearance, level) else withhold(item, level)
