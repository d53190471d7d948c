"""Each service's OpenAPI document as the service behaves: every error answer is RFC 9457 problem+json.

FastAPI declares a 422 of its own ``HTTPValidationError`` shape that no Baosong service sends, and
request bodies given as a model's JSON Schema keep that model's ``$defs`` inside the operation while
their ``$ref``s point to ``#/components/schemas``. ``document_problems`` rewrites the generated document
once: the ``Problem`` schema for every 4xx and 5xx answer, nested ``$defs`` moved to the components.
The endpoints that take a token say so through their own dependency (``shared.http.bearer_auth``); the
``bearer`` scheme is declared in every service, even one whose only endpoint is ``/healthz``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from shared.http import BEARER

PROBLEM_JSON = "application/problem+json"
FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
Doc = dict[str, Any]


class FieldError(BaseModel):
    """One entry of ``errors``: which field, and what is wrong with it."""

    model_config = ConfigDict(extra="allow")
    field: str = Field(description="The field's path, e.g. occurred_at, location.unit_id, body, path, or a query "
                                   "parameter's name.")
    message: str = Field(description="中文说明 (some services: Chinese and English in one).")
    message_en: str | None = Field(default=None, description="The same in English, where given apart.")
    label: str | None = Field(default=None, description="The field's Chinese name, where known.")
    type: str | None = Field(default=None, description="A machine-readable kind, e.g. missing, json_invalid.")


class ProblemSchema(BaseModel):
    """An error answer (RFC 9457 application/problem+json); errors names each bad field."""

    model_config = ConfigDict(title="Problem")
    type: str = Field(default="about:blank")
    title: str = Field(description="The HTTP status phrase or a short summary.")
    status: int = Field(description="The HTTP status code, again.")
    detail: str = Field(description="What went wrong and what to do, in Chinese and English.")
    instance: str = Field(description="The request's path.")
    errors: list[FieldError] = Field(default_factory=list, description="Each bad field (validation errors).")


def _problem_answer(description: str) -> Doc:
    return {"description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


CLIENT_ERROR = _problem_answer("请求有误 / The request was refused: 400 unreadable, 401 no or bad token, 403 not "
                               "allowed, 404 not found, 405 method, 409 conflict, 422 invalid fields (errors).")
SERVER_ERROR = _problem_answer("服务暂不可用或内部错误 / Unavailable (503, retry later) or an internal error (500).")
INVALID = _problem_answer("字段有误 / Invalid fields: errors names each of them.")


def _hoist_defs(node: Any, into: Doc) -> None:
    """Move every nested ``$defs`` into ``into`` (the components' schemas), where their ``$ref``s point."""
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            if into.setdefault(name, schema) != schema:
                raise ValueError(f"two different schemas are both named {name!r}")
            _hoist_defs(schema, into)
        for value in node.values():
            _hoist_defs(value, into)
    elif isinstance(node, list):
        for value in node:
            _hoist_defs(value, into)


def describe_problems(doc: Doc) -> Doc:
    """``doc`` (FastAPI's OpenAPI) with the Problem schema for every error answer and no dangling ``$ref``."""
    components: Doc = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {}).setdefault(
        "bearer", BEARER.model.model_dump(mode="json", by_alias=True, exclude_none=True))
    schemas: Doc = components.setdefault("schemas", {})
    _hoist_defs(doc["paths"], schemas)
    problem = ProblemSchema.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs"))
    schemas["Problem"] = problem
    for path_item in doc["paths"].values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = INVALID
            responses.setdefault("4XX", CLIENT_ERROR)
            responses.setdefault("5XX", SERVER_ERROR)
    for name in FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    return doc


def document_problems(app: FastAPI) -> None:
    """Serve ``describe_problems`` of the app's generated document at ``/openapi.json``."""

    def openapi() -> Doc:
        if app.openapi_schema is None:
            generated = get_openapi(title=app.title, version=app.version, routes=app.routes)
            app.openapi_schema = describe_problems(generated)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
