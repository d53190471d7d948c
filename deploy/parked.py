"""``./baosong parked``: what the services' consumers set aside, and applying a record again after a fix.

Each service keeps its own parked records (``<schema>.parked``) and answers for them over HTTP
(``GET /v1/parked``, ``POST /v1/parked/{id}/retry``, admin); this command asks the running stack.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import httpx

from deploy.proc import SetupError
from deploy.stack import StackConfig
from shared.producers import SERVICES  # the services that consume Kafka, each with its parked records


def cmd_parked(args: argparse.Namespace) -> int:
    cfg = StackConfig.from_env()
    if not cfg.private_key.exists():
        raise SetupError("no signing key yet: run './baosong up' first (it creates one)")
    words: list[str] = args.words
    if words and words[0] == "retry":
        if len(words) != 2:
            raise SetupError("usage: ./baosong parked retry ID   (an id that ./baosong parked lists, e.g. approval-3)")
        return _retry(cfg, words[1])
    if len(words) > 1 or (words and words[0] not in SERVICES):
        raise SetupError(f"usage: ./baosong parked [{'|'.join(SERVICES)}]  or  ./baosong parked retry ID")
    rows: list[dict[str, Any]] = []
    for service in words or SERVICES:
        rows += _ask(cfg, "GET", service, f"/v1/parked?state={args.state}")["parked"]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("nothing set aside (没有搁置的记录)")
        return 0
    for r in rows:
        print(f"{r['id']:<16} {r['state']:<9} {r['consumer']:<26} {r['topic']}/{r['partition']}@{r['offset']}"
              f"  {r['parked_at']}\n    {r['reason'][:300]}")
    print(f"{len(rows)} record(s); apply one again after a fix: ./baosong parked retry ID")
    return 0


def _retry(cfg: StackConfig, parked_id: str) -> int:
    service = parked_id.rpartition("-")[0]
    if service not in SERVICES:
        raise SetupError(f"{parked_id!r} is not an id ./baosong parked lists (e.g. approval-3)")
    outcome = _ask(cfg, "POST", service, f"/v1/parked/{parked_id}/retry")
    if outcome["state"] == "resolved":
        print(f"{parked_id}: applied (已重新处理)")
        return 0
    print(f"{parked_id}: still cannot be applied (仍无法处理): {outcome['reason']}")
    return 1


def _ask(cfg: StackConfig, method: str, service: str, path: str) -> dict[str, Any]:
    try:
        answer = httpx.request(method, cfg.url(service) + path, timeout=30,
                               headers={"Authorization": f"Bearer {cfg.admin_token()}"})
    except httpx.HTTPError as exc:
        raise SetupError(f"{service} does not answer at {cfg.url(service)} ({exc}): is the stack up?") from exc
    if answer.status_code >= 400:
        try:
            detail = answer.json().get("detail", answer.text)
        except ValueError:
            detail = answer.text
        raise SetupError(f"{service}: {answer.status_code} {detail}")
    body: dict[str, Any] = answer.json()
    return body


def add_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("parked", parents=parents,
                       help="records the consumers set aside (搁置); 'parked retry ID' applies one again")
    s.add_argument("words", nargs="*", metavar="SERVICE | retry ID",
                   help=f"a service ({', '.join(SERVICES)}) to list only its records, or 'retry ID'")
    s.add_argument("--state", choices=["parked", "resolved", "all"], default="parked")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_parked)
