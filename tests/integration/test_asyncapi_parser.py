"""docs/asyncapi.yaml and .json parse with the official AsyncAPI parser (``@asyncapi/parser``) with no error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy.asyncapi import DOCS
from deploy.asyncapi_parser import parse

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", ["asyncapi.yaml", "asyncapi.json"])
def test_the_official_parser_reports_no_error(name: str) -> None:
    parsed, diagnostics = parse(DOCS / name)
    assert parsed
    assert [str(d) for d in diagnostics if d.severity in ("error", "warning")] == []


def test_the_parser_finds_a_broken_reference(tmp_path: Path) -> None:
    spec = json.loads((DOCS / "asyncapi.json").read_text(encoding="utf-8"))
    spec["components"]["messages"]["ReportSubmitted"]["payload"] = {"$ref": "#/components/schemas/NoSuchEvent"}
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(spec), encoding="utf-8")
    parsed, diagnostics = parse(broken)
    assert not parsed
    assert [d.code for d in diagnostics if d.severity == "error"] == ["invalid-ref"]
