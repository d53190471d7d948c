"""``./baosong``: run, stop, inspect and test the local stack (see README.md and the contract)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from deploy.database import DATABASE
from deploy.proc import SetupError
from deploy.report import cmd_report
from deploy.stack import REPO, StackConfig, down, run_foreground, up
from deploy.units import load_tree, read_tree
from deploy.web_assets import ensure_browser, ensure_echarts
from shared.auth import ROLES, mint_token


def cmd_up(args: argparse.Namespace) -> int:
    if args.no_demo:
        os.environ["BAOSONG_DEMO"] = "0"
    cfg = StackConfig.from_env()
    if args.detach:
        up(cfg)
    else:
        run_foreground(cfg)
    return 0


def cmd_down(_: argparse.Namespace) -> int:
    down(StackConfig.from_env())
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    cfg = StackConfig.from_env()
    status = cfg.status()
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
    else:
        for key, value in status.items():
            print(f"{key}: {value}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    cfg = StackConfig.from_env()
    if not cfg.private_key.exists():
        raise SetupError("no signing key yet: run './baosong up' first (it creates one)")
    if args.unit is None and args.role not in ("admin", "investigator"):
        raise SetupError(f"--unit is required for role {args.role} (only admin and investigator may omit it)")
    subject = args.subject or f"{args.role}@{args.unit or 'baosong'}"
    print(mint_token(cfg.private_key.read_bytes(), subject=subject, unit=args.unit, roles=[args.role],
                     ttl_s=args.ttl))
    return 0


def cmd_kafka_user(args: argparse.Namespace) -> int:
    """An agency's Kafka user: may write only its own ingress topic (docs/integration.md)."""
    from deploy.kafka_local import add_agency

    cfg = StackConfig.from_env()
    if not cfg.kafka.credentials_file("admin").exists():
        raise SetupError("no Kafka broker set up yet: run './baosong up' first")
    print(json.dumps(add_agency(cfg.kafka, args.unit), ensure_ascii=False))
    return 0


def cmd_units_load(args: argparse.Namespace) -> int:
    """Register a whole unit tree from a YAML/JSON file through the running intake."""
    cfg = StackConfig.from_env()
    if not cfg.private_key.exists():
        raise SetupError("no signing key yet: run './baosong up' first (it creates one)")
    counts = load_tree(cfg.url("intake"), cfg.admin_token(), read_tree(Path(args.file)))
    print(f"units: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")
    return 0


def _owner_dsn(args: argparse.Namespace) -> str:
    """``--dsn``, else the running stack's database as its owner."""
    return str(args.dsn or StackConfig.from_env().postgres.dsn("postgres", DATABASE))


def cmd_verify(args: argparse.Namespace) -> int:
    """Walk the archive's hash chain (exit 1 naming the first bad position)."""
    from services.archive.entrypoints.commands import verify

    return asyncio.run(verify(_owner_dsn(args)))


def cmd_projections(args: argparse.Namespace) -> int:
    """Rebuild the archive's read models from position 0 while the read API keeps answering."""
    from services.archive.entrypoints.commands import rebuild_projections

    return asyncio.run(rebuild_projections(_owner_dsn(args), args.names, args.workers))


def _at_least_one(text: str) -> int:
    """--workers: a whole number of processes, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of processes, 1 or more (default: one per core)")
    return value


def cmd_test(args: argparse.Namespace) -> int:
    """Lint, type-check, then the whole suite on a real Kafka broker and PostgreSQL."""
    ensure_browser()
    ensure_echarts()
    steps = [
        ("ruff", [sys.executable, "-m", "ruff", "check", "."]),
        ("mypy", [sys.executable, "-m", "mypy"]),
        ("pytest", [sys.executable, "-m", "pytest", *args.pytest_args]),
    ]
    failed = []
    for name, argv in steps:
        print(f"== {name}", flush=True)
        if subprocess.run(argv, cwd=REPO, env=dict(os.environ), check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"FAILED: {', '.join(failed)}", flush=True)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="./baosong", description="Baosong 报送 — the local stack")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("up", help="start PostgreSQL, Kafka and the four services")
    s.add_argument("--detach", action="store_true", help="return once every service answers /healthz")
    s.add_argument("--no-demo", action="store_true", help="do not start the demo incident generator")
    s.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop what 'up' started (data stays)").set_defaults(func=cmd_down)
    s = sub.add_parser("status", help="URLs of the running stack")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    s = sub.add_parser("token", help="print a bearer token for the running stack")
    s.add_argument("--unit", help="the unit the token acts for")
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument("--subject", help="who the token names (default: role@unit)")
    s.add_argument("--ttl", type=int, default=12 * 3600, help="lifetime in seconds (default 12 h)")
    s.set_defaults(func=cmd_token)
    s = sub.add_parser("kafka-user", help="Kafka credentials for an agency: it may write only its own ingress topic")
    s.add_argument("--unit", required=True, help="the unit the agency reports for")
    s.set_defaults(func=cmd_kafka_user)
    s = sub.add_parser("units", help="the unit directory (单位目录)")
    units = s.add_subparsers(dest="units_command", required=True)
    s = units.add_parser("load", help="register or update every unit of a YAML/JSON tree file")
    s.add_argument("file", help="e.g. deploy/demo/units.yaml")
    s.set_defaults(func=cmd_units_load)


    s = sub.add_parser("verify", help="check the archive's whole hash chain (exit 1 names the first bad position)")
    s.add_argument("--dsn", help="database owner DSN (default: the running stack's)")
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser("projections", help="the archive's read models")
    psub = s.add_subparsers(dest="action", required=True)
    r = psub.add_parser("rebuild", help="rebuild from position 0 and swap in, without stopping the read API")
    r.add_argument("names", nargs="*", help="projections to rebuild (default: all)")
    r.add_argument("--dsn", help="database owner DSN (default: the running stack's)")
    r.add_argument("--workers", type=_at_least_one, default=None,
                   help="processes folding shares of the store side by side (default: one per core)")
    r.set_defaults(func=cmd_projections)
    s = sub.add_parser("test", help="ruff, mypy and the whole test suite (real Kafka and PostgreSQL)")
    s.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    s.set_defaults(func=cmd_test)
    s = sub.add_parser("report", help="documents from the running stack")
    s.add_argument("kind", choices=["monthly"], help="monthly: the assessment report (信息报送情况报告)")
    s.add_argument("--period", required=True, help="the month, YYYY-MM (Asia/Shanghai)")
    s.add_argument("--out", help="folder for the files (default: <BAOSONG_HOME>/reports)")
    s.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SetupError as exc:
        print(f"baosong: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
