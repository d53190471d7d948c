"""Every service's refusals speak Chinese and English ("中文 / English"), not only intake's."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.approval.domain.signoff import Entry, Refused, check_decision, check_receipt
from services.approval.entrypoints.http import DecisionBody, problem
from shared.auth import Principal
from shared.http import Problem, install_problem_handlers, require_roles
from shared.policy import load_pack

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")

STEPS = load_pack("county-2h-10h").sign_off_steps(grade="IV", reportable=True)


def bilingual(text: str) -> bool:
    return " / " in text and bool(CHINESE.search(text)) and bool(ENGLISH.search(text))


def test_a_role_refusal_is_in_both_languages() -> None:
    clerk = Principal(subject="clerk", unit="town", roles=frozenset({"reporter"}))
    with pytest.raises(Problem) as refused:
        require_roles(clerk, "duty_officer", "admin")
    assert refused.value.status == 403 and bilingual(refused.value.detail)
    assert "duty_officer" in refused.value.detail


def test_a_bad_decision_value_is_refused_in_both_languages() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/decide")
    async def decide(body: DecisionBody) -> None:
        raise AssertionError("not reached")

    answer = TestClient(app).post("/decide", json={"decision": "maybe"})
    assert answer.status_code == 422
    body = answer.json()
    assert bilingual(body["detail"])
    [error] = body["errors"]
    assert error["field"] == "decision"
    assert CHINESE.search(error["message"]) and "approve" in error["message"]
    assert error["message_en"] == "must be one of: approve or reject"


def test_scope_refusals_are_in_both_languages() -> None:
    with pytest.raises(Refused) as not_queued:
        check_decision(roles=["approver"], entry=None, decision="approve", comment="", steps=STEPS)
    with pytest.raises(Refused) as not_signer:
        check_decision(roles=["reporter"], entry=Entry("rpt-1", "town", "sign_off", "submitted", "pending"),
                       decision="approve", comment="", steps=STEPS)
    with pytest.raises(Refused) as not_forwarded:
        check_receipt(unit="town", entry=None)
    for refused in (not_queued.value, not_signer.value, not_forwarded.value):
        assert refused.status == 403 and bilingual(refused.detail)


def test_a_refused_field_names_it_in_both_languages() -> None:
    with pytest.raises(Refused) as no_reason:
        check_decision(roles=["approver"], entry=Entry("rpt-1", "town", "sign_off", "submitted", "pending"),
                       decision="reject", comment=" ", steps=STEPS)
    answered = problem(no_reason.value)
    assert answered.status == 422 and bilingual(answered.detail)
    [error] = answered.errors
    assert error["field"] == "comment" and CHINESE.search(error["message"]) and ENGLISH.search(error["message_en"])
