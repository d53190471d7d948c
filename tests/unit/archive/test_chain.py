import json
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.archive.domain.chain import (
    canonical_bytes,
    data_keys,
    legacy_body,
    link_digest,
    link_hash,
)


def test_canonical_body_sorts_keys_and_keeps_chinese_text() -> None:
    assert canonical_bytes({"b": 1, "a": "报送"}).decode() == '{"a":"报送","b":1}'


def test_each_link_depends_on_previous_hash_position_time_and_body() -> None:
    t = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    base = link_hash(b"", 1, t, "{}")
    assert len(base) == 32
    assert link_hash(b"x", 1, t, "{}") != base
    assert link_hash(b"", 2, t, "{}") != base
    assert link_hash(b"", 1, t.replace(microsecond=1), "{}") != base
    assert link_hash(b"", 1, t, '{"a":1}') != base
    assert link_hash(b"", 1, t, "{}") == base


def test_canonical_bytes_are_orjsons_sorted_form_and_the_old_form_stays_known() -> None:
    envelope = {"id": "e", "data": {"ratio": 1.5e-7, "big": 1e16, "name": "报送"}}
    assert canonical_bytes(envelope) == '{"data":{"big":1e+16,"name":"报送","ratio":1.5e-7},"id":"e"}'.encode()
    assert legacy_body(envelope) == '{"data":{"big":1e+16,"name":"报送","ratio":1.5e-07},"id":"e"}'
    assert link_hash(b"", 1, datetime(2026, 1, 1, tzinfo=UTC), canonical_bytes(envelope).decode()) == link_digest(
        b"", 1, "2026-01-01T00:00:00.000000Z", canonical_bytes(envelope))


def test_integers_beyond_64_bits_keep_every_digit() -> None:
    assert canonical_bytes({"n": 2**70, "m": -(2**64)}) == b'{"m":-18446744073709551616,"n":1180591620717411303424}'


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1, {"x": float("-inf")}]])
def test_nan_and_infinity_are_not_json(value: object) -> None:
    with pytest.raises(ValueError, match="NaN or Infinity"):
        canonical_bytes({"id": "e", "data": {"v": value, "w": None}})
    with pytest.raises(ValueError):
        canonical_bytes({"id": "e", "n": 2**70, "data": {"v": value}})  # the stdlib's fallback refuses too


def test_report_and_incident_columns_are_taken_only_from_strings_in_data() -> None:
    assert data_keys({"data": {"report_id": "r", "incident_id": "i"}}) == ("r", "i")
    assert data_keys({"data": {"report_id": 5, "incident_id": None}}) == (None, None)
    assert data_keys({"data": ["report_id"]}) == (None, None)
    assert data_keys({}) == (None, None)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


@given(st.dictionaries(st.text(max_size=6), _json, max_size=6))
def test_without_floats_the_canonical_bytes_are_the_old_form_byte_for_byte(value: dict[str, object]) -> None:
    assert canonical_bytes(value) == legacy_body(value).encode()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_keep_their_value_through_the_canonical_bytes(x: float) -> None:
    assert orjson.loads(canonical_bytes({"x": x}))["x"] == x
    assert json.loads(canonical_bytes({"x": x}))["x"] == x
