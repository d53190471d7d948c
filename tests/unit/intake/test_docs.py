"""Generated documents match what generates them (regenerate: see each module's docstring)."""

from __future__ import annotations

from pathlib import Path

from services.intake import catalogue
from shared.policy import load_assignments, load_pack

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_category_catalogue_matches_the_default_pack() -> None:
    pack = load_pack(load_assignments().default)
    text = (DOCS / "categories.md").read_text(encoding="utf-8")
    assert text == catalogue.render(pack), "run: python -m services.intake.catalogue"
    for code, category in pack.categories.items():
        assert f"`{code}` | {category.name.zh} | {category.name.en} |" in text
