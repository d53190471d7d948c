"""BENCH ONLY: run intake or the archive with NO producer-signature check, on a broker without SASL, to measure
what the checks cost (``bench/trust_cost.py``). ``python -m bench.unchecked_service intake|archive``.

A service run so believes any record anyone puts on its topics. It refuses to start when given Kafka
credentials or a signing key (a secured stack), and nothing outside ``bench/`` imports it: ``./baosong up``
always runs ``services.<name>``, whose consumers refuse what the named producer did not sign.
"""

from __future__ import annotations

import dataclasses
import sys

from services.archive.bootstrap import create_app as create_archive
from services.archive.settings import ArchiveSettings
from services.intake.bootstrap import create_app as create_intake
from services.intake.settings import IntakeSettings
from shared.kafka import KafkaAccess
from shared.producers import PRODUCER_HEADER, Headers, ProducerKeys, header
from shared.service import serve
from shared.settings import ServiceSettings


class AdmitAnyProducerBenchOnly(ProducerKeys):
    """Checks nothing: every record passes, whoever made it, signed or not."""

    def check(self, event_type: str, value: bytes, headers: Headers) -> str:
        return header(headers, PRODUCER_HEADER) or "unchecked"


def unchecked(access: KafkaAccess) -> KafkaAccess:
    if access.credentials is not None or access.signer is not None:
        raise SystemExit("bench.unchecked_service runs only without Kafka credentials and signing key "
                         "(the benchmark's PLAINTEXT broker)")
    return dataclasses.replace(access, producer_keys=AdmitAnyProducerBenchOnly({}))


class UncheckedIntakeSettings(IntakeSettings):
    def kafka_access(self) -> KafkaAccess:
        return unchecked(super().kafka_access())


class UncheckedArchiveSettings(ArchiveSettings):
    def kafka_access(self) -> KafkaAccess:
        return unchecked(super().kafka_access())


def main(service: str) -> None:
    settings: ServiceSettings
    if service == "intake":
        settings = UncheckedIntakeSettings()
        app = create_intake(settings)
    elif service == "archive":
        settings = UncheckedArchiveSettings()
        app = create_archive(settings)
    else:
        raise SystemExit(f"usage: python -m bench.unchecked_service intake|archive (not {service!r})")
    serve(app, settings)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
