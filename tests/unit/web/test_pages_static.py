"""The pages' static shells and the categories the report form offers."""

import re
from pathlib import Path

from services.web.entrypoints.catalogue_http import categories_of
from shared.policy import load_assignments, load_pack

STATIC = Path(__file__).resolve().parents[3] / "services" / "web" / "static"


def test_every_page_declares_a_viewport_for_phones() -> None:
    pages = sorted(STATIC.glob("*.html"))
    assert pages
    for page in pages:
        assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1">',
                         page.read_text()), page.name


def test_every_labelled_form_item_names_a_control_by_its_id() -> None:
    """``<el-form-item label=… for=X>`` works only if a control inside has ``id=X`` (get_by_label, screen readers)."""
    for script in ("report.js", "item.js", "inbox.js"):
        text = (STATIC / script).read_text()
        for block in re.findall(r"<el-form-item (.*?)</el-form-item>", text, flags=re.S):
            target = re.search(r'(?<![:\w-])for="([^"]+)"', block)
            bound = re.search(r'(?<=\s):for="([^"]+)"', block)
            assert target or bound, f"{script}: a form item without for=: {block[:60]}"
            if target:
                assert f'id="{target.group(1)}"' in block, f"{script}: for={target.group(1)} names no control"
            else:
                assert f':id="{bound.group(1) if bound else ""}"' in block, f"{script}: :for names no control"


def test_the_categories_are_the_units_pack_in_its_order_with_chinese_names() -> None:
    default = load_pack(load_assignments().default)
    answer = categories_of("any-town", "general_office")
    assert answer["policy"] == default.ref
    assert [c["code"] for c in answer["categories"]] == list(default.categories)
    road = next(c for c in answer["categories"] if c["code"] == "accident.road_traffic")
    assert road["zh"] == "道路交通事故"


def test_a_school_gets_the_categories_of_the_schools_pack() -> None:
    school = load_pack(load_assignments().pack_name_for(unit_id="a-school", kind="school"))
    assert categories_of("a-school", "school")["policy"] == school.ref
