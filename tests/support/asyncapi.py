"""Reading docs/asyncapi.json in tests: the document, and a validator of a record against a message's payload."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from deploy.asyncapi import DOCS


def documented() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((DOCS / "asyncapi.json").read_text(encoding="utf-8"))
    return spec


def payload_validator(spec: dict[str, Any], message: str) -> Draft202012Validator:
    """Validates a record's value against the documented payload of ``message`` (references resolved)."""
    return Draft202012Validator({**spec, "$ref": spec["components"]["messages"][message]["payload"]["$ref"]})
