"""Text that PostgreSQL and UTF-8 can keep: no NUL character, no lone surrogate (``"\\ud800"`` in JSON).

Both pass JSON parsing and pydantic's ``str``; both fail only when written (a 500 then). Use as
``Annotated[str, AfterValidator(storable_text)]``: the 422 names the field.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError


def storable_text(text: str) -> str:
    if "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text):
        raise PydanticCustomError("unstorable_text", "不能含有 NUL 字符或不成对的代理项 / must not contain a NUL"
                                                     " character or a lone surrogate")
    return text
