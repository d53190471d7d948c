"""``./baosong``: run, stop, inspect and test the local stack (see README.md and the contract)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from deploy import accounts, bench, parked
from deploy.database import DATABASE
from deploy.proc import SetupError
from deploy.report import cmd_report
from deploy.stack import REPO, StackConfig, down, public_key_of, run_foreground, up
from deploy.units import load_tree, read_tree
from deploy.web_assets import ensure_browser, ensure_echarts
from shared.access import DEFAULT, LEVELS
from shared.auth import ROLES, mint_token
from shared.signing import KeyRing


def cmd_up(args: argparse.Namespace) -> int:
    cfg = StackConfig.from_env()
    if args.detach:
        up(cfg)
    else:
        run_foreground(cfg)
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    """The demo stack, detached: started if it is not running yet, with the generator (``main`` selected it)."""
    up(StackConfig.from_env())
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
                     ttl_s=args.ttl, clearance=args.clearance))
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


def _key_ring(paths: list[str], default: Path, what: str) -> KeyRing:
    """The public keys given with ``--key``, else the stack's key ``default`` (its ``.pub.pem``)."""
    files = [Path(p) for p in paths] or [public_key_of(default)]
    for file in files:
        if not file.exists():
            raise SetupError(f"{file}: no such public key ({what}); give one with --key PEM")
    return KeyRing.from_pems(files)


def cmd_verify(args: argparse.Namespace) -> int:
    """Walk the archive's hash chain and hold it to the published heads (exit 1 naming what is wrong)."""
    from services.archive.entrypoints.commands import Anchors, verify

    cfg = StackConfig.from_env()
    heads = Path(args.heads) if args.heads else (cfg.heads_file if args.dsn is None else None)
    if args.heads and not Path(args.heads).exists():
        raise SetupError(f"{args.heads}: no such heads file")
    anchors = None
    if heads is not None and heads.exists():
        anchors = Anchors(heads, _key_ring(args.key, cfg.head_signing_key, "the archive's heads key"))
    return asyncio.run(verify(_owner_dsn(args), anchors))


def cmd_heads_export(args: argparse.Namespace) -> int:
    """Copy the published, signed heads to FILE (or stdout) for an outside party to keep."""
    cfg = StackConfig.from_env()
    if not cfg.heads_file.exists():
        raise SetupError(f"no heads published yet ({cfg.heads_file} is absent): the archive publishes its"
                         " head every BAOSONG_HEAD_PUBLISH_INTERVAL_S seconds while it runs")
    lines = [line + "\n" for line in cfg.heads_file.read_text().splitlines() if line.strip()]
    if args.file:
        Path(args.file).write_text("".join(lines))
    else:
        sys.stdout.writelines(lines)
    where = args.file or "stdout"
    print(f"exported 已导出 {len(lines)} signed heads 个已签名链头 to {where}; the archive's public key (keep it"
          f" too): {public_key_of(cfg.head_signing_key)}; check with: ./baosong verify --heads FILE",
          file=sys.stderr)
    return 0


def cmd_verify_receipt(args: argparse.Namespace) -> int:
    """Exit 0 for a receipt (or a 202 answer holding one) that intake's key genuinely signed, else 1."""
    from services.intake.domain import receipt

    keys = _key_ring(args.key, StackConfig.from_env().receipt_signing_key, "intake's receipts key")
    try:
        document = json.loads(Path(args.file).read_bytes())
    except (OSError, ValueError) as exc:
        print(f"receipt NOT genuine 回执无效: 无法读取 / cannot read {args.file}: {exc}")
        return 1
    candidate = receipt.unwrap(document)
    refusal = receipt.refusal(candidate, keys)
    if refusal is not None:
        print(f"receipt NOT genuine 回执无效: {refusal}")
        return 1
    what = "item 信息" if candidate["id"].startswith("itm-") else "report 报告"
    print(f"receipt genuine 回执真实有效: {what} {candidate['id']}, received 受理于 {candidate['received_at']},"
          f" content sha256 内容摘要 {candidate['content_sha256']}, key 密钥 {candidate['key_id']}")
    return 0


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


def stack_choice() -> argparse.ArgumentParser:
    """``--demo`` for every command that addresses a stack: the demo stack instead of the real one."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--demo", action="store_true",
                   help="the demo stack (own data home <home>-demo, own ports: intake 8201 … postgres 5533), "
                        "where the demo generator posts invented incidents; same as BAOSONG_DEMO=1")
    return p


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="./baosong", description="Baosong 报送 — the local stack")
    sub = p.add_subparsers(dest="command", required=True)
    stack = [stack_choice()]
    s = sub.add_parser("up", parents=stack, help="start PostgreSQL, Kafka and the services")
    s.add_argument("--detach", action="store_true", help="return once every service answers /healthz")
    # Kept so that old scripts still run: up never starts the demo generator unless --demo.
    s.add_argument("--no-demo", action="store_true", help="no effect (up starts no demo unless --demo)")
    s.set_defaults(func=cmd_up)
    sub.add_parser("demo", help="start the demo stack (own data home and ports) with the incident generator,"
                   " detached; stop it with './baosong down --demo'").set_defaults(func=cmd_demo, demo=True)
    sub.add_parser("down", parents=stack, help="stop what 'up' started (data stays)").set_defaults(func=cmd_down)
    s = sub.add_parser("status", parents=stack, help="URLs of the running stack")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    s = sub.add_parser("token", parents=stack, help="print a bearer token for the running stack")
    s.add_argument("--unit", help="the unit the token acts for")
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument("--subject", help="who the token names (default: role@unit)")
    s.add_argument("--ttl", type=int, default=12 * 3600, help="lifetime in seconds (default 12 h)")
    s.add_argument("--clearance", choices=LEVELS, default=DEFAULT,
                   help=f"the highest classification (密级) the token may read (default {DEFAULT})")
    s.set_defaults(func=cmd_token)
    s = sub.add_parser("kafka-user", parents=stack,
                       help="Kafka credentials for an agency: it may write only its own ingress topic")
    s.add_argument("--unit", required=True, help="the unit the agency reports for")
    s.set_defaults(func=cmd_kafka_user)
    s = sub.add_parser("units", help="the unit directory (单位目录)")
    units = s.add_subparsers(dest="units_command", required=True)
    s = units.add_parser("load", parents=stack, help="register or update every unit of a YAML/JSON tree file")
    s.add_argument("file", help="e.g. deploy/demo/units.yaml")
    s.set_defaults(func=cmd_units_load)
    parked.add_parser(sub, stack)
    accounts.add_parser(sub, stack)
    s = sub.add_parser("verify", parents=stack,
                       help="check the archive's whole hash chain and that it holds every published"
                       " head (exit 1 names the first bad position or head)")
    s.add_argument("--dsn", help="database owner DSN (default: the running stack's)")
    s.add_argument("--heads", help="published heads to hold the chain to, e.g. an export (default: the stack's"
                   " heads file, unless --dsn is given)")
    s.add_argument("--key", action="append", default=[],
                   help="public key PEM that signs heads (repeatable; default: the stack's archive key)")
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser("heads", help="the chain heads the archive published (signed)")
    hsub = s.add_subparsers(dest="heads_command", required=True)
    h = hsub.add_parser("export", parents=stack,
                        help="write the signed heads as JSON lines for an outside party to keep")
    h.add_argument("file", nargs="?", help="where to write them (default: stdout)")
    h.set_defaults(func=cmd_heads_export)
    s = sub.add_parser("verify-receipt", parents=stack,
                       help="check a receipt (回执凭证): exit 0 when genuine, 1 otherwise")
    s.add_argument("file", help="a JSON file: the receipt, or the whole 202 answer holding it")
    s.add_argument("--key", action="append", default=[],
                   help="public key PEM that signs receipts (repeatable; default: the stack's intake key)")
    s.set_defaults(func=cmd_verify_receipt)
    s = sub.add_parser("projections", help="the archive's read models")
    psub = s.add_subparsers(dest="action", required=True)
    r = psub.add_parser("rebuild", parents=stack,
                        help="rebuild from position 0 and swap in, without stopping the read API")
    r.add_argument("names", nargs="*", help="projections to rebuild (default: all)")
    r.add_argument("--dsn", help="database owner DSN (default: the running stack's)")
    r.add_argument("--workers", type=_at_least_one, default=None,
                   help="processes folding shares of the store side by side (default: one per core)")
    r.set_defaults(func=cmd_projections)
    s = sub.add_parser("test", help="ruff, mypy and the whole test suite (real Kafka and PostgreSQL)")
    s.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    s.set_defaults(func=cmd_test)
    bench.add_parser(sub)
    s = sub.add_parser("report", parents=stack, help="documents from the running stack")
    s.add_argument("kind", choices=["monthly"], help="monthly: the assessment report (信息报送情况报告)")
    s.add_argument("--period", required=True, help="the month, YYYY-MM (Asia/Shanghai)")
    s.add_argument("--out", help="folder for the files (default: <BAOSONG_HOME>/reports)")
    s.set_defaults(func=cmd_report)
    return p


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line; ``./baosong test -q -x``: options before any path go to pytest too."""
    p = parser()
    args, unknown = p.parse_known_args(argv)
    if unknown and args.func is cmd_test:
        args.pytest_args = [*unknown, *args.pytest_args]
    elif unknown:
        p.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if getattr(args, "demo", False):
        os.environ["BAOSONG_DEMO"] = "1"  # StackConfig.from_env(), and whatever the command starts, see it
    try:
        code: int = args.func(args)
    except SetupError as exc:
        print(f"baosong: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
