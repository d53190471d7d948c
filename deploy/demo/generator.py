"""The demo generator: posts an incident through intake every few seconds and signs most of them off, and
does the units' information work (``deploy.demo.item_desk``: items written, signed off, adopted, forwarded,
instructed on and commissioned), so both the incident board and the assessment board move.

Started only in the demo stack (``./baosong demo`` or ``./baosong up --demo``), which has its own data home
and ports, so its invented incidents and items never enter the real stack's permanent record. It talks to the
stack only as an outside agency and the units' people would: intake's ``POST /v1/reports`` and
``POST /v1/items``, approval's decisions, receipts, adoptions, forwardings, instructions and requests, with
tokens signed by the stack's own key.

Settings: ``BAOSONG_DEMO_INTERVAL_S`` (an incident every so many seconds, default 30),
``BAOSONG_DEMO_ITEM_INTERVAL_S`` (an item every so many seconds, and the cadence of the steps after it,
default 20), ``BAOSONG_DEMO_SEED`` (repeatable choices).
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from deploy.demo.incidents import make_incident
from deploy.demo.item_desk import ItemDesk
from deploy.demo.units import Sender, reporting_units
from deploy.units import DEMO_TREE, read_tree
from shared.auth import mint_token
from shared.envelope import now_utc
from shared.obligations import initial_obligations
from shared.policy import pack_for

SIGN_OFF_AFTER_S = 20.0


def report_limit(unit_id: str, kind: str) -> timedelta:
    """How long the unit's policy pack gives before its first deadline (a written report, or a phone call
    where the pack asks that first), for an ordinary (grade IV) reportable incident such as the demo's:
    the demo's plans are timed against it."""
    start = datetime(2000, 1, 1, tzinfo=UTC)  # any instant: only the limit counts
    owed = initial_obligations(pack_for(unit_id=unit_id, unit_kind=kind), clock_start=start, reportable=True,
                               grade="IV", unit_id=unit_id, parent_id=None)
    return min(o.late_at for o in owed if o.late_at is not None) - start


@dataclass
class Generator:
    intake: str
    approval: str
    private_key: bytes
    interval_s: float
    item_interval_s: float
    rng: random.Random
    to_sign: list[tuple[float, str, str]] = field(default_factory=list)
    stopping: bool = False

    def token(self, unit: str | None, role: str) -> str:
        return mint_token(self.private_key, subject=f"demo-{role}@{unit or 'baosong'}", unit=unit, roles=[role],
                          ttl_s=600)

    def headers(self, unit: str | None, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(unit, role)}"}

    def post_one(self, sender: Sender) -> None:
        unit_id = sender.unit_id
        incident = make_incident(self.rng, unit_id, sender.name, now_utc(), report_limit(unit_id, sender.kind))
        r = httpx.post(f"{self.intake}/v1/reports", json=incident.body,
                       headers=self.headers(unit_id, "reporter"), timeout=10)
        if r.status_code != 202:
            print(f"demo: intake answered {r.status_code}: {r.text[:300]}", flush=True)
            return
        report_id = r.json()["report_id"]
        print(f"demo: {incident.plan:<8} {unit_id} {incident.body['title']} → {report_id}", flush=True)
        if incident.plan != "unsigned":
            self.to_sign.append((time.monotonic() + SIGN_OFF_AFTER_S, report_id, unit_id))

    def sign_due(self) -> None:
        now, waiting = time.monotonic(), []
        for due, report_id, unit in self.to_sign:
            if due > now:
                waiting.append((due, report_id, unit))
                continue
            r = httpx.post(f"{self.approval}/v1/reports/{report_id}/decisions",
                           json={"decision": "approve", "comment": "同意上报"},
                           headers=self.headers(unit, "principal"), timeout=10)
            if r.status_code != 202:
                print(f"demo: sign-off of {report_id} answered {r.status_code}: {r.text[:200]}", flush=True)
        self.to_sign = waiting

    def run(self) -> None:
        senders = reporting_units()
        desk = ItemDesk(intake=self.intake, approval=self.approval, headers=self.headers,
                        interval_s=self.item_interval_s, rng=self.rng, tree=read_tree(DEMO_TREE))
        print(f"demo: {len(senders)} reporting units; an incident every {self.interval_s:g}s, "
              f"an item every {self.item_interval_s:g}s", flush=True)
        next_post = time.monotonic()
        while not self.stopping:
            try:
                if time.monotonic() >= next_post:
                    next_post = time.monotonic() + self.interval_s
                    self.post_one(self.rng.choice(senders))
                self.sign_due()
                desk.tick()
            except httpx.HTTPError as exc:
                print(f"demo: {exc!r}; trying again", flush=True)
            time.sleep(1)


def main() -> None:
    gen = Generator(
        intake=os.environ["BAOSONG_INTAKE_URL"], approval=os.environ["BAOSONG_APPROVAL_URL"],
        private_key=Path(os.environ["BAOSONG_JWT_PRIVATE_KEY"]).read_bytes(),
        interval_s=float(os.environ.get("BAOSONG_DEMO_INTERVAL_S", "30")),
        item_interval_s=float(os.environ.get("BAOSONG_DEMO_ITEM_INTERVAL_S", "20")),
        rng=random.Random(os.environ.get("BAOSONG_DEMO_SEED")),
    )

    def stop(_signum: int, _frame: object) -> None:
        gen.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    gen.run()
