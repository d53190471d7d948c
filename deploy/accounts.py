"""``./baosong account add``: an account for the pages, through the running web service's
``PUT /v1/accounts/{login}``; prints the generated password (stdout, alone, for scripts) and what was done
(stderr)."""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import quote

import httpx

from deploy.proc import SetupError
from deploy.stack import StackConfig
from shared.access import DEFAULT, LEVELS
from shared.auth import ROLES


def cmd_account_add(args: argparse.Namespace) -> int:
    cfg = StackConfig.from_env()
    if not cfg.private_key.exists():
        raise SetupError("no signing key yet: run './baosong up' first (it creates one)")
    body: dict[str, Any] = {"name": args.name, "unit": args.unit, "roles": args.role, "phone": args.phone,
                            "clearance": args.clearance, "reset_password": True}
    try:
        answer = httpx.put(f"{cfg.url('web')}/v1/accounts/{quote(args.login, safe='')}", json=body,
                           headers={"Authorization": f"Bearer {cfg.admin_token()}"}, timeout=30)
    except httpx.HTTPError as exc:
        raise SetupError(f"the web service at {cfg.url('web')} does not answer ({exc}): is the stack up?") from exc
    if answer.status_code not in (200, 201):
        detail = answer.json().get("detail") if answer.headers.get("content-type", "").endswith("json") else None
        print(f"baosong: account not saved 账号未保存 ({answer.status_code}): {detail or answer.text}", file=sys.stderr)
        return 1
    saved = answer.json()
    what = "created 已创建" if saved["created"] else "updated, new password 已更新并重置密码"
    print(f"account {saved['login']} {what}: {saved['name']}, {saved['unit'] or '—'}, {', '.join(saved['roles'])}, "
          f"clearance {saved['clearance']}; sign in at {cfg.url('web')}/signin with this password (shown once):",
          file=sys.stderr)
    print(saved["password"])
    return 0


def add_parser(sub: Any, stack: list[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("account", help="accounts of the people who sign in at the pages")
    accounts = s.add_subparsers(dest="account_command", required=True)
    a = accounts.add_parser("add", parents=stack, help="add an account (or reset an existing one's password) and "
                                                       "print its generated password")
    a.add_argument("--login", required=True, help="账号: letters, digits, . _ - @")
    a.add_argument("--unit", help="the unit the person acts for (omit only for admin and investigator)")
    a.add_argument("--role", required=True, action="append", choices=ROLES, help="a role (repeatable)")
    a.add_argument("--name", required=True, help="姓名")
    a.add_argument("--phone", help="联系电话")
    a.add_argument("--clearance", choices=LEVELS, default=DEFAULT,
                   help=f"the highest classification (密级) the person may read (default {DEFAULT})")
    a.set_defaults(func=cmd_account_add)
