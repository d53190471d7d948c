"""What the producer check costs per record (a script, not a test): the archive's per-record work (parse, check,
make the event to store) with and without the signature check, and a producer's signing, in one run, medians of
5 interleaved rounds. SASL/SCRAM itself costs only at connection time on ``SASL_PLAINTEXT`` (no per-record work).

Usage: .venv/bin/python bench/producer_check_bench.py [N]     (default: 20000)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.archive.domain.anomalies import check_envelope, parse_message
from services.archive.entrypoints.consumer import to_incoming
from shared.producers import PRODUCER_OF, SERVICES, ProducerKeys, Signer
from tests.support.archive_events import Story

SIGNERS = {name: Signer(name, Ed25519PrivateKey.generate()) for name in SERVICES}
KEYS = ProducerKeys({name: s.key.public_key() for name, s in SIGNERS.items()})


@dataclass
class Record:
    value: bytes
    topic: str = "baosong.reports"
    partition: int = 0
    offset: int = 0
    timestamp: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def records(n: int) -> list[Record]:
    out = []
    while len(out) < n:
        for env in Story().all():
            value = json.dumps(env, ensure_ascii=False).encode()
            signed = SIGNERS[PRODUCER_OF[env["type"]]].headers(value)
            out.append(Record(value, headers=[(k, v.encode()) for k, v in signed.items()]))
    return out[:n]


def per_second(work: list[Record], step: object) -> float:
    start = time.perf_counter()
    for r in work:
        step(r)  # type: ignore[operator]
    return len(work) / (time.perf_counter() - start)


def main(n: int) -> None:
    work = records(n)
    without, with_check, signing = [], [], []
    for _ in range(5):
        without.append(per_second(work, lambda r: check_envelope(*parse_message(r.value))))
        with_check.append(per_second(work, lambda r: to_incoming(r, KEYS)))
        signing.append(per_second(work, lambda r: SIGNERS["intake"].headers(r.value)))
    a, b = statistics.median(without), statistics.median(with_check)
    print(f"{n:,} records; medians of 5 interleaved rounds")
    print(f"archive per-record work without the check: {a:,.0f}/s ({1e6 / a:.0f} µs each)")
    print(f"archive per-record work with the check:    {b:,.0f}/s ({1e6 / b:.0f} µs each); ratio {b / a:.2f}")
    print(f"producer signing (one Ed25519 signature):  {statistics.median(signing):,.0f}/s "
          f"({1e6 / statistics.median(signing):.0f} µs each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
