"""On an agency's own ingress topic the topic proves the unit (only that agency's Kafka user may write it)."""

import re

from services.intake.domain.ingress import IngressMessage, bind_to_topic
from shared.http import Problem
from shared.topics import AGENCY_INGRESS_PATTERN, AGENCY_INGRESS_PREFIX, INGRESS, INGRESS_DEAD_LETTER


def message(unit: str) -> IngressMessage:
    return IngressMessage("m-1", unit, f"clerk@{unit}", {"title": "x"})


def test_a_record_of_the_topics_own_unit_passes() -> None:
    m = message("town-a-office")
    assert bind_to_topic(m, f"{AGENCY_INGRESS_PREFIX}town-a-office", AGENCY_INGRESS_PREFIX) is m


def test_a_record_naming_another_unit_is_forbidden() -> None:
    refused = bind_to_topic(message("county-x-office"), f"{AGENCY_INGRESS_PREFIX}town-a-office",
                            AGENCY_INGRESS_PREFIX)
    assert isinstance(refused, Problem) and refused.status == 403
    assert "town-a-office" in refused.detail and " / " in refused.detail


def test_the_shared_topic_keeps_the_records_unit() -> None:
    m = message("county-x-office")
    assert bind_to_topic(m, INGRESS, AGENCY_INGRESS_PREFIX) is m


def test_intake_subscribes_to_agency_topics_but_not_to_the_dead_letters() -> None:
    pattern = re.compile(AGENCY_INGRESS_PATTERN)
    assert pattern.match(f"{AGENCY_INGRESS_PREFIX}town-a-office")
    assert not pattern.match(INGRESS_DEAD_LETTER)
    assert not pattern.match(INGRESS)
