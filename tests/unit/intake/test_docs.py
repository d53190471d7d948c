"""Generated documents match what generates them (regenerate: see each module's docstring)."""

from __future__ import annotations

import json
from pathlib import Path

from services.intake import asyncapi, catalogue
from shared.policy import load_assignments, load_pack
from shared.topics import INGRESS, INGRESS_DEAD_LETTER, REPORTS, UNITS

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_category_catalogue_matches_the_default_pack() -> None:
    pack = load_pack(load_assignments().default)
    text = (DOCS / "categories.md").read_text(encoding="utf-8")
    assert text == catalogue.render(pack), "run: python -m services.intake.catalogue"
    for code, category in pack.categories.items():
        assert f"`{code}` | {category.name.zh} | {category.name.en} |" in text


def test_asyncapi_documents_are_current_and_name_intakes_topics() -> None:
    as_json, as_yaml = asyncapi.specification()
    assert (DOCS / "asyncapi.json").read_text(encoding="utf-8") == as_json, "run: python -m services.intake.asyncapi"
    assert (DOCS / "asyncapi.yaml").read_text(encoding="utf-8") == as_yaml, "run: python -m services.intake.asyncapi"
    document = json.loads(as_json)
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {INGRESS, INGRESS_DEAD_LETTER, REPORTS, UNITS}
    schemas = document["components"]["schemas"]
    assert {"ReportSubmittedEvent", "IncidentRegradedEvent", "UnitRegisteredEvent", "DeadLetter", "Report"} <= set(
        schemas)
