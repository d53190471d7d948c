"""Realistic incidents for the demo, shaped like the contract's POST /v1/reports; pure, no I/O.

Each incident gets a plan, timed against ``limit`` (how long the unit's policy pack gives before its first
deadline): ``on_time`` (occurred minutes ago, signed off soon), ``late`` (occurred more than ``limit`` ago:
late on arrival) or ``unsigned`` (a few minutes short of its limit and never signed off, so the breach
comes while the viewer watches).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PLANS = (("on_time", 0.6), ("late", 0.25), ("unsigned", 0.15))

KINDS: tuple[dict[str, Any], ...] = (
    {"category": "accident.road_traffic", "title": "{place}道路两车相撞", "casualties": {"deaths": 1, "injured": 2},
     "summary": "两辆小型客车相撞，造成1人死亡、2人受伤。", "measures": "已封闭现场，伤员送县医院救治。"},
    {"category": "accident.fire", "title": "{place}民房火灾", "casualties": {"deaths": 1, "injured": 1},
     "summary": "一处民房起火，过火面积约80平方米，1人死亡。", "measures": "消防救援站已扑灭明火，正在排查原因。"},
    {"category": "accident.production_safety", "title": "{place}建筑工地坍塌",
     "casualties": {"deaths": 1, "injured": 3},
     "summary": "在建厂房脚手架坍塌，1人死亡、3人受伤。", "measures": "已停工整改，应急管理部门到场。"},
    {"category": "school.injury", "title": "{place}学生校内意外受伤",
     "casualties": {"injured": 1, "seriously_injured": 1},
     "summary": "一名学生课间活动时摔伤，伤情较重。", "measures": "已送医救治并通知家长。"},
)


@dataclass(frozen=True)
class DemoIncident:
    plan: str
    body: dict[str, Any]


def place_of(unit_name: str) -> str:
    """城关镇党政办 → 城关镇: the ground an office answers for, for the title."""
    for suffix in ("党政办", "政府办", "办公室"):
        if unit_name.endswith(suffix) and len(unit_name) > len(suffix):
            return unit_name[: -len(suffix)]
    return unit_name


def make_incident(rng: random.Random, unit_id: str, unit_name: str, now: datetime,
                  limit: timedelta) -> DemoIncident:
    plan = rng.choices([p for p, _ in PLANS], weights=[w for _, w in PLANS])[0]
    minute = timedelta(minutes=1)
    ago = {"on_time": minute * rng.randint(5, max(5, min(40, int(limit / minute) // 2))),
           "late": limit + minute * rng.randint(10, 80),
           "unsigned": limit - minute * rng.randint(2, 8)}[plan]
    kind = rng.choice(KINDS)
    casualties = {"deaths": 0, "injured": 0, "seriously_injured": 0, "missing": 0, "poisoned": 0,
                  **kind["casualties"]}
    body = {
        "kind": "initial", "incident_id": None, "reporting_unit": unit_id, "channel": "written",
        "title": kind["title"].format(place=place_of(unit_name)), "category": kind["category"],
        "occurred_at": (now - ago).isoformat(timespec="seconds"), "discovered_at": None,
        "location": {"unit_id": unit_id, "address": f"{unit_name}辖区"},
        "casualties": casualties, "economic_loss_cny": rng.choice([0, 50000, 200000]), "participants": 0,
        "impact": {}, "flags": {"sensitive_time": False, "sensitive_place": False, "special_identity": False,
                                "wide_attention": False},
        "summary": kind["summary"], "cause": "正在调查", "measures_taken": kind["measures"],
        "next_steps": "继续跟踪处置，及时续报", "trend": "现场已得到控制", "leaders_on_site": "分管负责同志已到现场",
        "source": "值班电话", "signer": "值班负责人", "contact": {"name": "值班员", "phone": "0000-0000000"},
        "classification": "internal",
    }
    return DemoIncident(plan, body)
