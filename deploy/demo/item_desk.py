"""The demo's information work (信息工作), through the APIs as the units' people would do it.

Every ``interval_s`` an information officer of a demo unit posts an item (intake ``POST /v1/items``); a few
intervals later the unit's approver signs it off or sends it back (approval's decisions). Where a signed-off
item arrives, the receiving unit acknowledges it; if the unit is an editorial desk (a general office with
publications at its level in its information pack), its editor adopts some items into an issue of one of
them and forwards some to the unit's parent (转报), where the same happens again; the principal of a county
or higher unit now and then writes an instruction (批示). Now and then an editor of a county or prefecture
office commissions items (约稿) from a few of the units under it; most of those answer with an item naming
the request, the rest miss it (a ``request_missed`` breach when it falls due).

Each step waits a random one to three intervals after the one before, so ``interval_s`` (the setting
``BAOSONG_DEMO_ITEM_INTERVAL_S``) sets the whole cadence. A step the services are not ready for yet (the
item has not reached approval, the request not yet intake) is tried again shortly.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import httpx

from deploy.demo.items import (
    ANSWER_CHANCE,
    REQUEST_TOPICS,
    Request,
    instruction,
    issue_of,
    make_item,
    on_arrival,
    sign_off,
)
from services.intake.domain.units import UnitIn
from shared.envelope import now_utc
from shared.information import info_pack_for
from shared.offset import in_china

Headers = Callable[[str, str], dict[str, str]]
#: A step: True when done (or given up), False to be tried again shortly.
Action = Callable[[], bool]

RETRY_AFTER_S = 2.0
ATTEMPTS = 15
#: A request every this many item intervals, due this many intervals after it is issued (at least a minute).
REQUEST_EVERY = 12
REQUEST_DUE_AFTER = 30
REQUEST_DUE_MIN_S = 60.0


def publications_of(unit_id: str, unit: UnitIn) -> list[str]:
    """The publications the unit adopts into: its information pack's, at its level."""
    pack = info_pack_for(unit_id=unit_id, unit_kind=unit.kind)
    return [p.name for p in pack.publications if p.level == unit.level]


def children_of(tree: dict[str, UnitIn], unit_id: str) -> list[str]:
    """The units that send their items to ``unit_id``, by either channel."""
    return [u for u, unit in tree.items() if unit_id in (unit.parent_id, unit.department_parent_id)]


def editorial(unit_id: str, unit: UnitIn) -> bool:
    """A unit with an information section (信息科) and editors: a general office that has publications."""
    return unit.kind == "general_office" and bool(publications_of(unit_id, unit))


@dataclass(order=True)
class _Step:
    due: float
    seq: int
    action: Action = field(compare=False)
    attempts: int = field(compare=False, default=ATTEMPTS)


@dataclass
class ItemDesk:
    intake: str
    approval: str
    headers: Headers
    interval_s: float
    rng: random.Random
    tree: dict[str, UnitIn]
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    steps: list[_Step] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _next_item: float = 0.0
    _next_request: float = 0.0

    def __post_init__(self) -> None:
        start = time.monotonic()
        self._next_item = start
        self._next_request = start + self.interval_s * REQUEST_EVERY / 2
        self.writers = [u for u, unit in self.tree.items() if unit.parent_id]
        self.editors = {u for u, unit in self.tree.items() if editorial(u, unit)}
        self.commissioners = [u for u in self.editors if self.tree[u].level in ("county", "prefecture")
                              and children_of(self.tree, u)]

    # -- the schedule -------------------------------------------------------------------------------------

    def later(self, action: Action, *, intervals: tuple[float, float] = (1, 3)) -> None:
        delay = self.interval_s * self.rng.uniform(*intervals)
        heapq.heappush(self.steps, _Step(time.monotonic() + delay, next(self._seq), action))

    def tick(self) -> None:
        """Whatever is due now: a new item, a new request, and the steps whose time has come."""
        now = time.monotonic()
        if now >= self._next_item:
            self._next_item = now + self.interval_s
            self.later(lambda: self.write(self.rng.choice(self.writers)), intervals=(0, 0))
        if self.commissioners and now >= self._next_request:
            self._next_request = now + self.interval_s * REQUEST_EVERY
            self.later(self.commission, intervals=(0, 0))
        while self.steps and self.steps[0].due <= now:
            step = heapq.heappop(self.steps)
            try:
                done = step.action()
            except httpx.HTTPError as exc:
                print(f"demo: {exc!r}; trying again", flush=True)
                done = False
            if not done and step.attempts > 1:
                heapq.heappush(self.steps, _Step(now + RETRY_AFTER_S, next(self._seq), step.action,
                                                 step.attempts - 1))

    # -- the people ---------------------------------------------------------------------------------------

    def post(self, url: str, body: dict[str, Any] | None, unit: str, role: str) -> httpx.Response:
        return self.http.post(url, json=body, headers=self.headers(unit, role))

    def write(self, unit_id: str, request: Request | None = None) -> bool:
        """An information officer posts an item; the unit's sign-off comes a few intervals later."""
        unit = self.tree[unit_id]
        body = make_item(self.rng, unit_id, unit.name, in_china(now_utc()).date(), request)
        r = self.post(f"{self.intake}/v1/items", body, unit_id, "reporter")
        if r.status_code == 422 and request is not None and "unknown_request" in r.text:
            return False  # intake has not seen the request yet
        if r.status_code != 202:
            print(f"demo: intake answered {r.status_code} to an item: {r.text[:300]}", flush=True)
            return True
        item_id = r.json()["item_id"]
        answer = f" (约稿 {request.request_id})" if request else ""
        print(f"demo: item     {unit_id} {body['title']} → {item_id}{answer}", flush=True)
        self.later(lambda: self.sign(item_id, unit_id))
        return True

    def sign(self, item_id: str, unit_id: str, role: str = "approver") -> bool:
        """The unit's approver decides; where the unit's pack has further steps, their people decide next."""
        decision = sign_off(self.rng)
        r = self.post(f"{self.approval}/v1/items/{item_id}/decisions", decision, unit_id, role)
        if r.status_code == 404:
            return False  # approval has not received the item yet
        if r.status_code != 202:
            print(f"demo: sign-off of {item_id} answered {r.status_code}: {r.text[:200]}", flush=True)
            return True
        if decision["decision"] == "reject":
            print(f"demo: rejected {item_id}: {decision['comment']}", flush=True)
        answer = r.json()
        if answer["state"] == "pending":
            self.later(lambda: self.sign(item_id, unit_id, answer["waiting_for"]["roles"][0]))
        for to_unit in answer["forwarded_to"]:
            self.later(partial(self.arrive, item_id, to_unit))
        return True

    def arrive(self, item_id: str, unit_id: str) -> bool:
        """The receiving unit acknowledges; its editor adopts or forwards, its principal may instruct."""
        unit = self.tree.get(unit_id)
        desk = unit_id in self.editors
        r = self.post(f"{self.approval}/v1/items/{item_id}/receipts", None, unit_id, "editor" if desk else "reporter")
        if r.status_code == 404:
            return False
        if unit is None or not desk:
            return True
        plan = on_arrival(self.rng, publications=publications_of(unit_id, unit),
                          can_forward=unit.parent_id is not None, level=unit.level)
        publication = plan.adopt_into
        if publication is not None:
            self.later(lambda: self.adopt(item_id, unit_id, publication))
        if plan.forward:
            self.later(lambda: self.forward(item_id, unit_id))
        if plan.instruct:
            self.later(lambda: self.instruct(item_id, unit_id))
        return True

    def adopt(self, item_id: str, unit_id: str, publication: str) -> bool:
        body = {"publication": publication, "issue": issue_of(now_utc())}
        r = self.post(f"{self.approval}/v1/items/{item_id}/adoptions", body, unit_id, "editor")
        if r.status_code == 202:
            print(f"demo: adopted {item_id} into {unit_id}'s {publication} {body['issue']}", flush=True)
        elif r.status_code != 409:
            print(f"demo: adoption of {item_id} answered {r.status_code}: {r.text[:200]}", flush=True)
        return True

    def forward(self, item_id: str, unit_id: str) -> bool:
        r = self.post(f"{self.approval}/v1/items/{item_id}/forwardings", None, unit_id, "editor")
        if r.status_code == 202:
            to_unit = r.json()["to_unit_id"]
            print(f"demo: forwarded {item_id} from {unit_id} to {to_unit} (转报)", flush=True)
            self.later(lambda: self.arrive(item_id, to_unit))
        elif r.status_code != 409:  # 409: the parent has it already (e.g. by the department channel)
            print(f"demo: forwarding of {item_id} answered {r.status_code}: {r.text[:200]}", flush=True)
        return True

    def instruct(self, item_id: str, unit_id: str) -> bool:
        body = instruction(self.rng, self.tree[unit_id].level)
        r = self.post(f"{self.approval}/v1/items/{item_id}/instructions", body, unit_id, "principal")
        if r.status_code == 202:
            print(f"demo: instruction on {item_id} by {unit_id}'s principal (批示)", flush=True)
        elif r.status_code != 409:
            print(f"demo: instruction on {item_id} answered {r.status_code}: {r.text[:200]}", flush=True)
        return True

    def commission(self) -> bool:
        """An editor asks two or three units under the office for items on a topic (约稿)."""
        office = self.rng.choice(self.commissioners)
        under = children_of(self.tree, office)
        to_units = self.rng.sample(under, min(len(under), self.rng.randint(2, 3)))
        topic = self.rng.choice(REQUEST_TOPICS)
        due_in = max(REQUEST_DUE_MIN_S, self.interval_s * REQUEST_DUE_AFTER)
        body = {"to_units": to_units, "topic": topic,
                "due_at": in_china(now_utc() + timedelta(seconds=due_in)).isoformat(timespec="seconds")}
        r = self.post(f"{self.approval}/v1/requests", body, office, "editor")
        if r.status_code != 202:
            print(f"demo: request answered {r.status_code}: {r.text[:200]}", flush=True)
            return True
        request = Request(r.json()["request_id"], topic)
        print(f"demo: request  {office} → {', '.join(to_units)}: {topic} → {request.request_id}", flush=True)
        for unit_id in to_units:
            if self.rng.random() < ANSWER_CHANCE:
                self.later(partial(self.write, unit_id, request), intervals=(2, 6))
        return True
