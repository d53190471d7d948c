from datetime import UTC, datetime

from services.archive.domain.chain import canonical_body, link_hash


def test_canonical_body_sorts_keys_and_keeps_chinese_text() -> None:
    assert canonical_body({"b": 1, "a": "报送"}) == '{"a":"报送","b":1}'


def test_each_link_depends_on_previous_hash_position_time_and_body() -> None:
    t = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    base = link_hash(b"", 1, t, "{}")
    assert len(base) == 32
    assert link_hash(b"x", 1, t, "{}") != base
    assert link_hash(b"", 2, t, "{}") != base
    assert link_hash(b"", 1, t.replace(microsecond=1), "{}") != base
    assert link_hash(b"", 1, t, '{"a":1}') != base
    assert link_hash(b"", 1, t, "{}") == base
