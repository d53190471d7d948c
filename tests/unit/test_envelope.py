from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.envelope import Envelope


def test_envelope_round_trips_through_its_wire_form() -> None:
    env = Envelope(id="e1", source="/baosong/test", type="UnitRegistered", subject="u1",
                   time=datetime(2026, 11, 23, tzinfo=UTC), data={"unit_id": "u1"}, partitionkey="u1")
    again = Envelope.from_bytes(env.to_bytes())
    assert again == env
    assert again.specversion == "1.0"


def test_envelope_refuses_unknown_attributes() -> None:
    with pytest.raises(ValidationError):
        Envelope.model_validate({"id": "e1", "source": "s", "type": "t", "subject": "s",
                                 "time": "2026-11-23T00:00:00Z", "data": {}, "partitionkey": "k",
                                 "surprise": 1})
