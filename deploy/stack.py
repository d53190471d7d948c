"""The local stack: PostgreSQL, Kafka and the services as ``./baosong up`` starts them."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from deploy.database import DATABASE, SERVICES, provision, service_role, service_roles
from deploy.demo.launch import start_demo
from deploy.kafka_local import LocalKafka, provision_kafka
from deploy.postgres_local import LocalPostgres
from deploy.proc import SetupError, is_root, pid_alive, port_open
from deploy.units import DEMO_TREE, load_tree, read_tree, unit_count
from deploy.web_assets import CHROMIUM, echarts_path, ensure_echarts, ensure_front_end, front_end_dir
from shared.auth import create_keypair, mint_token
from shared.producers import create_producer_keys, private_key_path
from shared.topics import PARTITIONS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PORTS = {
    "intake": 8101, "approval": 8102, "escalation": 8103, "archive": 8104, "assessment": 8105, "web": 8100,
    "kafka": 9092, "kafka_controller": 9093, "postgres": 5433,
}
#: The demo stack lives beside the real one: its own data home (``<home>-demo``) and these ports added to the
#: defaults (intake 8201 … postgres 5533), so its invented incidents never reach the real, permanent record.
DEMO_HOME_SUFFIX = "-demo"
DEMO_PORT_OFFSET = 100


def default_home() -> Path:
    """Where this clone keeps its data: outside the repo, one folder per clone, readable by PostgreSQL."""
    slug = f"{REPO.name}-{hashlib.sha256(str(REPO).encode()).hexdigest()[:8]}"
    if is_root():
        return Path("/var/lib/baosong") / slug
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "baosong" / slug


def demo_selected(environ: Mapping[str, str]) -> bool:
    """``BAOSONG_DEMO`` set to 1, true, yes or on (``--demo`` sets it): every command addresses the demo stack."""
    return environ.get("BAOSONG_DEMO", "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class StackConfig:
    home: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    #: The demo stack: the only one ``up`` starts the demo generator in.
    demo: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackConfig:
        """The real stack: ``BAOSONG_HOME`` and ``BAOSONG_<NAME>_PORT`` (e.g. ``BAOSONG_INTAKE_PORT``) override
        the defaults. The demo stack (``BAOSONG_DEMO=1``): ``<BAOSONG_HOME>-demo``, the default ports plus
        ``DEMO_PORT_OFFSET``, each overridden by ``BAOSONG_DEMO_<NAME>_PORT``."""
        env = os.environ if environ is None else environ
        home = Path(env.get("BAOSONG_HOME") or default_home())
        if demo_selected(env):
            ports = {name: int(env.get(f"BAOSONG_DEMO_{name.upper()}_PORT", port + DEMO_PORT_OFFSET))
                     for name, port in DEFAULT_PORTS.items()}
            return cls(home=home.with_name(home.name + DEMO_HOME_SUFFIX), ports=ports, demo=True)
        ports = {name: int(env.get(f"BAOSONG_{name.upper()}_PORT", port)) for name, port in DEFAULT_PORTS.items()}
        return cls(home=home, ports=ports)

    @property
    def postgres(self) -> LocalPostgres:
        return LocalPostgres(self.home / "postgres", self.ports["postgres"])

    @property
    def kafka(self) -> LocalKafka:
        return LocalKafka(self.home / "kafka", self.ports["kafka"], self.ports["kafka_controller"])

    @property
    def private_key(self) -> Path:
        """The key that signs bearer tokens."""
        return self.home / "keys" / "jwt-ed25519.pem"

    @property
    def public_key(self) -> Path:
        return self.home / "keys" / "jwt-ed25519.pub.pem"

    @property
    def head_signing_key(self) -> Path:
        """The archive's key: it signs the chain heads it publishes (public key: ``.pub.pem`` beside it)."""
        return self.home / "keys" / "archive-ed25519.pem"

    @property
    def receipt_signing_key(self) -> Path:
        """Intake's key: it signs the receipts (回执凭证) it answers with."""
        return self.home / "keys" / "receipts-ed25519.pem"

    @property
    def heads_file(self) -> Path:
        """Every chain head the archive published, outside PostgreSQL (JSON lines, append-only)."""
        return self.home / "anchors" / "heads.jsonl"

    @property
    def producer_keys(self) -> Path:
        """The services' record-signing keys: ``<service>.pem`` (0600) and ``<service>.pub.pem``."""
        return self.home / "keys" / "producers"

    @property
    def run_file(self) -> Path:
        return self.home / "run" / "stack.json"

    def admin_token(self) -> str:
        """A short-lived admin token for the stack's own calls (e.g. loading units)."""
        return mint_token(self.private_key.read_bytes(), subject="admin@baosong", unit=None, roles=["admin"],
                          ttl_s=600)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def status(self) -> dict[str, object]:
        """What ``status`` prints; the postgres DSN carries the owner's password (contract)."""
        return {
            "services": {name: self.url(name) for name in SERVICES},
            "web": f"{self.url('web')}/",  # the pages (sign in with an account: ./baosong account add)
            "kafka": self.kafka.bootstrap,
            "postgres": self.postgres.dsn("postgres", DATABASE),
        }

    def service_env(self, service: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "BAOSONG_SERVICE_NAME": service,
            "BAOSONG_PORT": str(self.ports[service]),
            "BAOSONG_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "BAOSONG_KAFKA_CREDENTIALS": str(self.kafka.credentials_file(service)),
            "BAOSONG_KAFKA_SIGNING_KEY": str(private_key_path(self.producer_keys, service)),
            "BAOSONG_KAFKA_PRODUCER_KEYS": str(self.producer_keys),
            "BAOSONG_PG_DSN": self.postgres.dsn(service_role(service), DATABASE),
            "BAOSONG_JWT_PUBLIC_KEY": str(self.public_key),
            "BAOSONG_LOG_FILE": str(self.home / "logs" / f"{service}.log"),  # rotated by the service
            "BAOSONG_ECHARTS_JS": str(echarts_path()),  # the pages' charts (fetched by ensure_echarts)
            "BAOSONG_CHROMIUM": str(CHROMIUM),  # prints documents as PDF
        })
        if service == "archive":  # its heads, and whether every service keeps up (for the duty board)
            env.update({"BAOSONG_HEAD_SIGNING_KEY": str(self.head_signing_key),
                        "BAOSONG_HEADS_FILE": str(self.heads_file),
                        "BAOSONG_HEALTH_URLS": json.dumps({s: self.url(s) for s in SERVICES if s != "archive"})})
        if service == "intake":
            env["BAOSONG_RECEIPT_SIGNING_KEY"] = str(self.receipt_signing_key)
        if service == "web":  # mints the signed-in person's tokens, calls the other services for the pages
            env.update({"BAOSONG_JWT_SIGNING_KEY": str(self.private_key),
                        "BAOSONG_SERVICE_URLS": json.dumps({s: self.url(s) for s in SERVICES if s != "web"}),
                        "BAOSONG_FRONT_END_DIR": str(front_end_dir())})
        return env


def public_key_of(private: Path) -> Path:
    """Where a signing key's public half is kept: ``NAME.pub.pem`` beside ``NAME.pem``."""
    return private.with_name(private.name.removesuffix(".pem") + ".pub.pem")


def _say(message: str) -> None:
    print(message, flush=True)


def _read_pids(cfg: StackConfig) -> dict[str, int]:
    if not cfg.run_file.exists():
        return {}
    pids: dict[str, int] = json.loads(cfg.run_file.read_text())["pids"]
    return pids


def _write_pids(cfg: StackConfig, pids: dict[str, int]) -> None:
    cfg.run_file.parent.mkdir(parents=True, exist_ok=True)
    cfg.run_file.write_text(json.dumps({"pids": pids, "ports": cfg.ports}, indent=2))


def _start_service(cfg: StackConfig, service: str) -> int:
    log_dir = cfg.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    out = (log_dir / f"{service}.out").open("ab")  # what escapes the rotated log: a crash before logging is set
    proc = subprocess.Popen(
        [sys.executable, "-m", f"services.{service}"], cwd=REPO, env=cfg.service_env(service),
        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    return proc.pid


def _wait_healthy(cfg: StackConfig, services: tuple[str, ...], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    waiting = set(services)
    while waiting and time.monotonic() < deadline:
        for name in sorted(waiting):
            try:
                if httpx.get(f"{cfg.url(name)}/healthz", timeout=1).status_code == 200:
                    waiting.discard(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    if waiting:
        logs = ", ".join(str(cfg.home / "logs" / f"{n}.log") + " (.out)" for n in sorted(waiting))
        raise SetupError(f"not healthy after {timeout_s:.0f}s: {', '.join(sorted(waiting))}; see {logs}")


def up(cfg: StackConfig) -> dict[str, int]:
    """Start whatever is not running yet; returns the pids of the processes the stack owns."""
    t0 = time.monotonic()
    cfg.home.mkdir(parents=True, exist_ok=True)
    pids = {name: pid for name, pid in _read_pids(cfg).items() if pid_alive(pid)}
    for name in ("kafka", *SERVICES):
        if name not in pids and port_open(cfg.ports[name]):
            raise SetupError(
                f"port {cfg.ports[name]} for {name} is taken by another program: stop it, or set "
                f"BAOSONG_{name.upper()}_PORT to a free port"
            )
    _say(f"PostgreSQL: private cluster in {cfg.postgres.home} on port {cfg.ports['postgres']}")
    cfg.postgres.init()
    if cfg.postgres.start():
        _say("PostgreSQL: closed a cluster that trusted every login; each role now needs its password")
        started_before = [name for name in SERVICES if name in pids]
        _stop(started_before, pids)  # they logged in without one: start them again with theirs
        pids = {name: pid for name, pid in pids.items() if name not in started_before}
    _provision(cfg)
    for private in (cfg.private_key, cfg.head_signing_key, cfg.receipt_signing_key):
        if not private.exists():
            create_keypair(private, public_key_of(private))
    create_producer_keys(cfg.producer_keys)
    if "kafka" not in pids:
        _say(f"Kafka: single KRaft node in {cfg.kafka.home} on {cfg.kafka.bootstrap}")
        pids["kafka"] = cfg.kafka.start().pid
        _write_pids(cfg, pids)
    asyncio.run(provision_kafka(cfg.kafka, PARTITIONS))
    ensure_echarts()
    ensure_front_end()
    for service in SERVICES:
        if service not in pids:
            pids[service] = _start_service(cfg, service)
    _write_pids(cfg, pids)
    _wait_healthy(cfg, SERVICES)
    _load_demo_units(cfg)
    if cfg.demo and "demo" not in pids:
        pids["demo"] = start_demo(REPO, cfg.home / "logs", {n: cfg.url(n) for n in SERVICES}, cfg.private_key)
        _write_pids(cfg, pids)
    _say(f"Baosong is up in {time.monotonic() - t0:.1f}s:")
    for name in SERVICES:
        _say(f"  {name:<11} {cfg.url(name)}")
    _say(f"  web pages   {cfg.url('web')}/  (an account to sign in with: ./baosong account add --login … --unit …"
         " --role … --name …)")
    _say(f"  kafka       {cfg.kafka.bootstrap} (SASL/SCRAM; credentials in {cfg.kafka.home / 'credentials'})")
    _say(f"  postgres    {cfg.postgres.dsn('postgres', DATABASE, with_password=False)}"
         "  (password: ./baosong status --json)")
    _say(f"  data        {cfg.home}  (logs in {cfg.home / 'logs'})")
    _say("  a token:    ./baosong token --unit <unit-id> --role reporter")
    if cfg.demo:
        _say("  demo        posting invented incidents and work-information items into this demo stack only"
             " (its own data home and ports;"
             " the real stack's record never sees them)")
        _say("              commands take --demo for it (./baosong token --demo …); stop it: ./baosong down --demo")
    else:
        _say("  demo        off (it never writes here): ./baosong demo starts one in its own data home"
             f" ({cfg.home.name}{DEMO_HOME_SUFFIX}, ports +{DEMO_PORT_OFFSET})")
    return pids


def _provision(cfg: StackConfig) -> None:
    try:
        asyncio.run(provision(cfg.postgres.superuser_dsn, cfg.postgres.passwords(service_roles())))
    except asyncpg.InvalidPasswordError as exc:
        raise SetupError(
            f"PostgreSQL refused the owner's password kept in {cfg.postgres.password_file}: the file does not "
            f"belong to the cluster in {cfg.postgres.data_dir} (restore the file that came with it)"
        ) from exc


def _load_demo_units(cfg: StackConfig) -> None:
    """A fresh stack (no units yet) gets the demo tree, so a newcomer sees a living system."""
    token = cfg.admin_token()
    if unit_count(cfg.url("intake"), token) == 0:
        counts = load_tree(cfg.url("intake"), token, read_tree(DEMO_TREE))
        _say(f"Units: registered the demo tree ({counts['created']} units from {DEMO_TREE.name})")


def down(cfg: StackConfig) -> None:
    """Stop exactly what ``up`` started (services, then Kafka, then PostgreSQL); data stays."""
    pids = _read_pids(cfg)
    _stop([name for name in ("demo", *SERVICES, "kafka") if name in pids], pids)
    cfg.postgres.stop()
    cfg.run_file.unlink(missing_ok=True)
    _say("Baosong is down; data kept in " + str(cfg.home))


def _stop(order: list[str], pids: dict[str, int]) -> None:
    """SIGTERM the named processes in order, wait up to 30 s for all, then SIGKILL whatever still runs."""
    for name in order:
        _signal(pids[name], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(pid_alive(pids[n]) for n in order):
        time.sleep(0.2)
    for name in order:
        if pid_alive(pids[name]):
            _say(f"{name} did not stop in time; killing it")
            _signal(pids[name], signal.SIGKILL)


def _signal(pid: int, sig: signal.Signals) -> None:
    """Signal the whole process group the stack started (a service and anything it spawned)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def run_foreground(cfg: StackConfig) -> None:
    """``up`` without ``--detach``: stay until Ctrl-C or SIGTERM, then stop everything."""
    up(cfg)
    _say("running; press Ctrl-C to stop")
    stop = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop:
            pids = _read_pids(cfg)
            dead = [n for n, p in pids.items() if not pid_alive(p)]
            if dead:
                _say(f"stopped unexpectedly: {', '.join(dead)}; see {cfg.home / 'logs'}")
                break
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    down(cfg)
