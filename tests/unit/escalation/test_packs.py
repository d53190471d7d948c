"""The shipped packs state the limits of docs/rules.md §4; ``extends`` inherits what a pack does not set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.escalation.settings import EscalationSettings
from shared.obligations import (
    Ancestor,
    follow_up_cadence,
    hop_obligations,
    initial_obligations,
    receipt_obligations,
    reminder_times,
)
from shared.policy import (
    PACKS_DIR,
    PackError,
    all_packs,
    check_packs,
    load_assignments,
    load_pack,
    load_pack_file,
    pack_for,
    pack_name,
)

T = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)
H = timedelta(hours=1)


def owed(pack: str, grade: str | None = "IV", reportable: bool = True) -> dict[str, tuple[datetime | None, ...]]:
    found = initial_obligations(load_pack(pack), clock_start=T, reportable=reportable, grade=grade,  # type: ignore[arg-type]
                                unit_id="u", parent_id="p")
    return {o.obligation: (o.late_at, o.missed_at) for o in found}


def test_every_pack_of_regulations_4_ships_with_its_sources() -> None:
    packs = all_packs()
    assert set(packs) >= {"county-2h-10h", "city-30min", "city-1h-2h", "bureau-grade", "school-2h", "routine"}
    assert all(p.sources and p.categories == packs["county-2h-10h"].categories for p in packs.values())


@pytest.mark.parametrize(("pack", "grade", "reportable", "expected"), [
    ("county-2h-10h", "IV", True, {"written_report": (T + 2 * H, T + 10 * H)}),
    ("county-2h-10h", None, False, {"routine_report": (T + 48 * H, None)}),
    ("city-30min", "IV", True, {"phone_report": (T + H / 2, None)}),
    ("city-1h-2h", "IV", True, {"phone_report": (T + H, None), "written_report": (T + 2 * H, T + 24 * H)}),
    ("bureau-grade", "III", True, {"written_report": (T + H, None), "phone_report": (T + H / 2, None)}),
    ("bureau-grade", "IV", True, {"written_report": (T + 2 * H, None), "phone_report": (T + H / 2, None)}),
    ("school-2h", "IV", True, {"phone_report": (T + 2 * H, None)}),
    ("routine", None, False, {"routine_report": (T + 48 * H, None)}),
])
def test_pack_limits(pack: str, grade: str | None, reportable: bool, expected: dict[str, tuple[object, ...]]) -> None:
    assert owed(pack, grade, reportable) == expected


def test_school_clock_runs_from_discovery() -> None:
    assert load_pack("school-2h").clock_start == "discovered"
    assert load_pack("county-2h-10h").clock_start == "occurred"


def test_hops_to_the_province_and_the_centre_are_owed_by_those_levels() -> None:
    hops = hop_obligations(load_pack("city-1h-2h"), clock_start=T, reportable=True, grade="II", ancestors=[
        Ancestor("county", "county", "city"), Ancestor("city", "prefecture", "prov"),
        Ancestor("prov", "province", "cn")])
    assert [(o.unit_id, o.to_unit_id, o.late_at, o.missed_at) for o in hops] == [
        ("city", "prov", T + 4 * H, T + 24 * H), ("prov", "cn", T + 6 * H, T + 24 * H)]


def test_receipt_counts_from_the_forwarding_and_follow_ups_have_a_cadence() -> None:
    [receipt] = receipt_obligations(load_pack("county-2h-10h"), forwarded_at=T, receiver_id="p", sender_id="u")
    assert (receipt.unit_id, receipt.to_unit_id, receipt.late_at) == ("p", "u", T + H)
    assert follow_up_cadence(load_pack("county-2h-10h"), reportable=True, grade="IV") == 24 * H
    assert follow_up_cadence(load_pack("routine"), reportable=False, grade=None) is None


def test_reminders_at_shares_of_the_limit() -> None:
    assert reminder_times(T, T + 2 * H, (0.5, 0.8)) == [(0.5, T + H), (0.8, T + 1.6 * H)]


def test_schools_get_the_school_pack() -> None:
    assert load_assignments().pack_name_for(unit_id="any-school", kind="school") == "school-2h"


def test_extends_inherits_unset_sections_and_refuses_cycles(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("name: base\nversion: 1\ntitle: {zh: 基, en: base}\nsources: [s]\n"
                                        "reminders: [0.25]\nvague_words: [听说]\n")
    (tmp_path / "child.yaml").write_text("name: child\nversion: 2\nextends: base\ntitle: {zh: 子, en: child}\n"
                                         "sources: [t]\nreminders: [0.9]\n")
    child = load_pack_file(tmp_path / "child.yaml")
    assert (child.ref, child.reminders, child.vague_words) == ("child@2", (0.9,), ("听说",))
    (tmp_path / "a.yaml").write_text("name: a\nversion: 1\nextends: b\n")
    (tmp_path / "b.yaml").write_text("name: b\nversion: 1\nextends: a\n")
    with pytest.raises(PackError, match="cycle"):
        load_pack_file(tmp_path / "a.yaml")


def test_start_up_refuses_a_pack_name_that_does_not_exist_and_a_malformed_pack(tmp_path: Path) -> None:
    check_packs()  # the shipped packs pass
    (tmp_path / "county-2h-10h.yaml").write_text((PACKS_DIR / "county-2h-10h.yaml").read_text(encoding="utf-8"),
                                                 encoding="utf-8")
    (tmp_path / "assignments.yaml").write_text("default: county-2h-10h\nby_kind: {school: schol-2h}\n",
                                               encoding="utf-8")
    with pytest.raises(PackError, match=r"assignments\.yaml: no such pack schol-2h; the packs are county-2h-10h"):
        check_packs(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "assignments.yaml").write_text("default: county-2h-10h\n", encoding="utf-8")
    (broken / "county-2h-10h.yaml").write_text("name: county-2h-10h\nversion: one\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"(?s)policy pack .*broken/county-2h-10h\.yaml: .*version"):
        check_packs(broken)


def test_the_pack_a_report_states_is_kept_and_the_units_is_chosen_only_without_a_known_one() -> None:
    assert pack_for("city-30min@1", unit_id="u", unit_kind="school").name == "city-30min"
    assert pack_for("no-such-pack@1", unit_id="u", unit_kind="school").name == "school-2h"
    assert pack_for("../packs/city-30min@1", unit_id="u", unit_kind=None).name == load_assignments().default
    assert pack_for(unit_id="u", unit_kind="school").name == "school-2h"
    assert pack_for(unit_id="u", unit_kind=None).name == load_assignments().default
    assert pack_name("county-2h-10h@1") == pack_name("county-2h-10h") == "county-2h-10h"


def test_the_retired_per_unit_setting_stops_escalation_instead_of_being_ignored(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BAOSONG_JWT_PUBLIC_KEY", str(tmp_path / "key.pem"))
    assert EscalationSettings().pack_assignments is None
    monkeypatch.setenv("BAOSONG_PACK_ASSIGNMENTS", '{"city-x-office": "city-1h-2h"}')
    with pytest.raises(ValidationError, match=r"assignments\.yaml under by_unit"):
        EscalationSettings()
