"""Example reports for tests, shaped exactly like the contract's example."""

from __future__ import annotations

import copy
from typing import Any

CONTRACT_EXAMPLE: dict[str, Any] = {
    "kind": "initial", "incident_id": None, "reporting_unit": "town-a-office", "channel": "written",
    "title": "城关镇307国道两车相撞", "category": "accident.road_traffic",
    "occurred_at": "2026-11-23T08:05:00+08:00", "discovered_at": None,
    "location": {"unit_id": "town-a-office", "address": "307国道K12处"},
    "casualties": {"deaths": 1, "injured": 3, "seriously_injured": 1, "missing": 0, "poisoned": 0},
    "economic_loss_cny": 200000, "participants": 0, "impact": {},
    "flags": {"sensitive_time": False, "sensitive_place": False, "special_identity": False,
              "wide_attention": False},
    "summary": "两车相撞，1人死亡，3人受伤。", "cause": "初步判断为超速行驶", "measures_taken": "已封闭现场，伤员送医",
    "next_steps": "继续调查事故原因", "trend": "现场已得到控制", "leaders_on_site": "副镇长已到现场",
    "source": "派出所报告", "signer": "张三", "contact": {"name": "李四", "phone": "0871-1234567"},
    "classification": "internal",
}


def report(**changes: Any) -> dict[str, Any]:
    """The contract's example report with top-level fields replaced."""
    body = copy.deepcopy(CONTRACT_EXAMPLE)
    body.update(changes)
    return body
