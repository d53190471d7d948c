from datetime import UTC, datetime, timedelta

from shared.obligations import initial_obligations
from shared.policy import all_packs, load_assignments, load_pack


def test_every_shipped_pack_loads_and_names_itself() -> None:
    packs = all_packs()
    assert "county-2h-10h" in packs
    for name, pack in packs.items():
        assert pack.name == name
        assert pack.ref == f"{name}@{pack.version}"


def test_default_pack_owes_a_written_report_by_2h_late_and_10h_missed() -> None:
    t = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)
    owed = initial_obligations(load_pack("county-2h-10h"), clock_start=t, reportable=True, grade="IV",
                               unit_id="town-a-office", parent_id="county-x-office")
    written = [o for o in owed if o.obligation == "written_report"]
    assert len(written) == 1
    assert written[0].to_unit_id == "county-x-office"
    assert written[0].late_at == t + timedelta(hours=2)
    assert written[0].missed_at == t + timedelta(hours=10)


def test_not_reportable_incident_owes_a_routine_report_within_48h() -> None:
    t = datetime(2026, 11, 23, tzinfo=UTC)
    owed = initial_obligations(load_pack("county-2h-10h"), clock_start=t, reportable=False, grade=None,
                               unit_id="u", parent_id="p")
    assert [(o.obligation, o.late_at) for o in owed] == [("routine_report", t + timedelta(hours=48))]


def test_assignments_fall_back_to_the_default_pack() -> None:
    assert load_assignments().pack_name_for(unit_id="nowhere") == "county-2h-10h"
