"""Each service's /openapi.json is a valid OpenAPI document that tells what the service does."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.integration.problems.conftest import SERVICES

pytestmark = pytest.mark.integration
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


@pytest.fixture(scope="module")
def documents(services: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {name: httpx.get(f"{url}/openapi.json", timeout=10).json() for name, url in services.items()}


@pytest.mark.parametrize("service", SERVICES)
def test_the_document_is_valid_and_every_reference_resolves(documents: dict[str, Any], service: str) -> None:
    doc = documents[service]
    validate(doc)  # openapi-spec-validator follows only the $refs it meets, not those nested in a schema:
    resolver = Registry().with_resource("", Resource.from_contents(doc, DRAFT202012)).resolver()
    for ref in set(refs(doc)):
        resolver.lookup(ref)  # raises Unresolvable, e.g. for intake's #/components/schemas/Location before


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_answer_is_declared_as_a_problem(documents: dict[str, Any], service: str) -> None:
    doc = documents[service]
    assert not {"HTTPValidationError", "ValidationError"} & set(doc["components"]["schemas"])
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    for path, method, operation in operations(doc):
        errors = {code: answer for code, answer in operation["responses"].items() if code[0] in "45"}
        assert "4XX" in errors and "5XX" in errors, (method, path)
        for code, answer in errors.items():
            assert answer["content"] == {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}, (method, path, code)


@pytest.mark.parametrize("service", SERVICES)
def test_every_endpoint_but_healthz_takes_the_bearer_token(documents: dict[str, Any], service: str) -> None:
    doc = documents[service]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Ed25519-signed JWT with claims sub, unit, roles (./baosong token)."}
    for path, method, operation in operations(doc):
        if path == "/healthz":
            assert operation["security"] == []
        else:
            assert {"bearer": []} in operation["security"], (method, path)
