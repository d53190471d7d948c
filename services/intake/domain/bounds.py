"""Input every service downstream can store: intake's door refuses the rest (HTTP and Kafka alike), pure.

Checked before a body is parsed (its size), while it is parsed (nesting, ``NaN``, numbers of
thousands of digits) and on the parsed value: NUL and lone surrogates (U+D800–U+DFFF) in any
string or key, at any depth — PostgreSQL refuses both and UTF-8 cannot encode a lone surrogate —
and nesting deeper than any report needs. The report's own figures and times are bounded by its
schema (``shared.report``). Each refusal names the field, in Chinese and English.
"""

from __future__ import annotations

import json
from typing import Any

from services.intake.domain.messages import field_error
from shared.http import Problem
from shared.storable import escaped, unstorable

#: A report is about 60 kB at most (all its texts full, escaped as \\uXXXX: 300 kB).
MAX_BODY_BYTES = 1_048_576
#: Containers inside one another: a report needs 2 (report → casualties), an envelope 3.
MAX_DEPTH = 8
#: Idempotency-Key, a Kafka message id, actor and unit headers.
MAX_IDENTIFIER_LENGTH = 200
#: Strings named at most in one answer.
MAX_NAMED = 20



def _shown(key: str) -> str:
    """A key as a field name can show it: forbidden characters escaped, at most 64 characters."""
    return escaped(key[:64])


def _path(parent: str, part: str | int) -> str:
    text = f"[{part}]" if isinstance(part, int) else _shown(part)
    return f"{parent}.{text}" if parent and not isinstance(part, int) else f"{parent}{text}"


def _bad_character(name: str) -> dict[str, str]:
    return field_error(name, "含有无法保存的字符（NUL 或不成对的代理码元 U+D800–U+DFFF）",
                       "contains a character that cannot be stored (NUL or a lone surrogate U+D800–U+DFFF)",
                       "forbidden_character")


def _too_deep(name: str) -> dict[str, str]:
    return field_error(name, f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels", "too_deep")


def _refuse(errors: list[dict[str, str]]) -> Problem:
    fields = ", ".join(e["field"] for e in errors)
    return Problem(422, "Invalid input", f"请修改以下字段后重新提交：{fields} / Fix these fields and send again: "
                   f"{fields}", errors)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(data: bytes) -> Any:
    """The JSON value ``data`` holds; a 422 Problem naming ``body`` when it is too large, too deep or not JSON."""
    if len(data) > MAX_BODY_BYTES:
        raise _refuse([field_error("body", f"正文超过 {MAX_BODY_BYTES} 字节", f"the body exceeds {MAX_BODY_BYTES} "
                                   "bytes", "too_large")])
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise _refuse([_too_deep("body")]) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, NaN, an integer of more than 4300 digits
        raise _refuse([field_error("body", "不是有效的 JSON", "is not valid JSON", "json_invalid")]) from None


def unsafe_fields(value: Any, root: str = "") -> list[dict[str, str]]:
    """An error for each string or key holding NUL or a lone surrogate, and for nesting beyond ``MAX_DEPTH``.

    Iterative, so a value nested a million levels deep is refused, not a RecursionError."""
    errors: list[dict[str, str]] = []
    stack: list[tuple[str, Any, int]] = [(root, value, 0)]
    while stack and len(errors) < MAX_NAMED:
        path, item, depth = stack.pop()
        if isinstance(item, str):
            if unstorable(item):
                errors.append(_bad_character(path or "body"))
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            errors.append(_too_deep(path or "body"))
            continue
        if isinstance(item, dict):
            for key in item:
                if unstorable(key):
                    errors.append(_bad_character(_path(path, key)))
            children = [(_path(path, k), v, depth + 1) for k, v in item.items()]
        else:
            children = [(_path(path, i), v, depth + 1) for i, v in enumerate(item)]
        stack.extend(reversed(children))
    return errors[:MAX_NAMED]


def identifier_errors(value: object, name: str) -> list[dict[str, str]]:
    """``value`` as an identifier (Idempotency-Key, message id, actor, unit): text of 1–200 storable characters."""
    if not isinstance(value, str):
        return [field_error(name, "应为文字", "must be text", "string_type")]
    if not 0 < len(value) <= MAX_IDENTIFIER_LENGTH:
        return [field_error(name, f"长度应为 1–{MAX_IDENTIFIER_LENGTH} 个字符",
                            f"must be 1–{MAX_IDENTIFIER_LENGTH} characters long", "string_length")]
    return [_bad_character(name)] if unstorable(value) else []


def refuse_unsafe(errors: list[dict[str, str]]) -> None:
    """Raise the 422 Problem naming ``errors``, if any."""
    if errors:
        raise _refuse(errors)
