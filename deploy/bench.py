"""``./baosong bench [NAME] [ARGS…]``: the project's benchmarks (bench/), each beside its peer, from a clone.

Installs the ``bench`` extra (the `eventsourcing` library, the archive's peer) into the virtualenv when it is
missing; the archive's and Kafka's peers are the project's own scripts (bench/peer_eventsourcing.py,
bench/pg_copy_ceiling.py, bench/kafka_bench.py with Kafka's tools jar fetched like the broker). Each benchmark
prints its table (the ones docs/ quote) on stdout and its progress on stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

from deploy.proc import SetupError

REPO = Path(__file__).resolve().parent.parent


class Benchmark(NamedTuple):
    module: str
    measures: str


BENCHMARKS: dict[str, Benchmark] = {
    "archive": Benchmark("bench.archive_bench", "the archive's append, verify and replay beside PostgreSQL's COPY "
                         "ceiling and the eventsourcing library's store; ARGS: SIZES… (default 100000 1000000)"),
    "kafka": Benchmark("bench.kafka_bench", "the services' producer path beside Kafka's ProducerPerformance; "
                       "ARGS: N (default 100000)"),
    "approval": Benchmark("bench.approval_bench", "approval's intake, sign-off and relay beside one durable "
                          "PostgreSQL transaction at a time; ARGS: N (default 300)"),
    "escalation": Benchmark("bench.escalation_bench", "the lag from deadline to breach, with a kill halfway; "
                            "ARGS: [--n N] [--spread S] [--lead L]"),
    "producer-check": Benchmark("bench.producer_check_bench", "the record signature check's cost per record; "
                                "ARGS: N (default 20000)"),
    "pg-auth": Benchmark("bench.pg_auth_bench", "a PostgreSQL connection with scram-sha-256 beside trust; "
                         "ARGS: N ROUNDS"),
    "intake": Benchmark("bench.intake_submit", "POST /v1/reports beside GET /healthz, on the running stack "
                        "(./baosong up --detach first); ARGS: N CONCURRENCY"),
    "whole": Benchmark("bench.whole_path", "the whole path: concurrent clients posting reports to a stack it starts, "
                       "beside /healthz and Kafka's ProducerPerformance; CPU per report by process, lags, time to "
                       "the archive; ARGS: CLIENTS SECONDS (default 32 20)"),
    "assessment": Benchmark("bench.assessment_bench", "scores, the board and the incident statistics at N items and N "
                            "incidents beside the archive's in-memory fold, and the services' memory; ARGS: N "
                            "(default 100000)"),
    "pages": Benchmark("bench.pages_stats", "the statistics and board reads on the running stack "
                       "(./baosong up --detach first); ARGS: N"),
}
#: What ``./baosong bench`` with no NAME runs: the benchmarks measured against outside peers.
WITH_PEERS = ("archive", "kafka")


def ensure_bench_extra() -> None:
    """``pip install -e .[bench]`` into this virtualenv, once (when the peer library is missing)."""
    if importlib.util.find_spec("eventsourcing") is not None:
        return
    print("baosong: installing the bench extra (the eventsourcing library, the archive's peer) …", file=sys.stderr,
          flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{REPO}[bench]"], check=False)
    if done.returncode != 0:
        raise SetupError(f"pip install -e '{REPO}[bench]' failed (exit {done.returncode}); see above")


def cmd_bench(args: argparse.Namespace) -> int:
    if args.name is not None and args.name not in BENCHMARKS:
        raise SetupError(f"no benchmark {args.name!r}; one of: {', '.join(BENCHMARKS)}")
    ensure_bench_extra()
    names = [args.name] if args.name is not None else list(WITH_PEERS)
    for name in names:
        print(f"== bench {name}: {BENCHMARKS[name].measures}", flush=True)
        argv = [sys.executable, "-m", BENCHMARKS[name].module, *args.args]
        code = subprocess.run(argv, cwd=REPO, check=False).returncode
        if code != 0:
            return code
    return 0


def add_parser(sub: Any) -> None:
    listing = "\n".join(f"  {name:<15} {b.measures}" for name, b in BENCHMARKS.items())
    s = sub.add_parser("bench", help="run a benchmark beside its peer and print its table (default: "
                       f"{' and '.join(WITH_PEERS)})", description=f"benchmarks:\n{listing}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("name", nargs="?", help=f"one of {', '.join(BENCHMARKS)} (default: {' then '.join(WITH_PEERS)}"
                   " at their default sizes)")
    s.add_argument("args", nargs=argparse.REMAINDER, help="passed on to the benchmark, e.g. sizes")
    s.set_defaults(func=cmd_bench)
