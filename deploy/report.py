"""``./baosong report monthly --period YYYY-MM``: the assessment report from the running archive, as files.

The archive renders both forms from the numbers ``/v1/stats/units`` answers, so the files always
agree with the statistics page.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import httpx

from deploy.proc import SetupError
from deploy.stack import StackConfig
from deploy.web_assets import ensure_browser
from shared.auth import mint_token


def cmd_report(args: argparse.Namespace) -> int:
    try:
        period = datetime.strptime(args.period, "%Y-%m").strftime("%Y-%m")
    except ValueError as exc:
        raise SetupError(f"--period must be YYYY-MM (e.g. 2026-11), not {args.period!r}") from exc
    cfg = StackConfig.from_env()
    ensure_browser()
    if not cfg.private_key.exists():
        raise SetupError("no signing key yet: run './baosong up' first")
    token = mint_token(cfg.private_key.read_bytes(), subject="report@baosong", unit=None, roles=["investigator"],
                       ttl_s=600)
    out = Path(args.out) if args.out else cfg.home / "reports"
    out.mkdir(parents=True, exist_ok=True)
    for fmt in ("html", "pdf"):
        try:
            answer = httpx.get(f"{cfg.url('archive')}/v1/stats/report", params={"period": period, "format": fmt},
                               headers={"Authorization": f"Bearer {token}"}, timeout=120)
        except httpx.HTTPError as exc:
            raise SetupError(f"the archive at {cfg.url('archive')} did not answer ({exc}): "
                             "is './baosong up' running?") from exc
        if answer.status_code != 200:
            raise SetupError(f"the archive refused the {fmt} report ({answer.status_code}): {answer.text[:300]}")
        path = out / f"baosong-monthly-{period}.{fmt}"
        path.write_bytes(answer.content)
        print(path)
    return 0
