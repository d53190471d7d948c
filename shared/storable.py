"""Text that PostgreSQL and UTF-8 can keep: no NUL character, no lone surrogate (``"\\ud800"`` in JSON).

Both pass JSON parsing and pydantic's ``str``; both fail only when written (a 500 then). Use as
``Annotated[str, AfterValidator(storable_text)]``: the 422 names the field.
"""

from __future__ import annotations

import re

from pydantic_core import PydanticCustomError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a NUL character or a lone surrogate (U+D800–U+DFFF)."""
    return _UNSTORABLE.search(text) is not None


def escaped(text: str) -> str:
    """``text`` with each NUL or lone surrogate written as ``\\uXXXX`` (to name it in an answer or a row)."""
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def storable_text(text: str) -> str:
    if unstorable(text):
        raise PydanticCustomError("unstorable_text", "不能含有 NUL 字符或不成对的代理项 / must not contain a NUL"
                                                     " character or a lone surrogate")
    return text
