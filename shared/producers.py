"""Who may make which event, and the signature that proves who made a record.

Topic ACLs say which principal may write a topic, but two services write ``baosong.reports``
(intake and approval), and the ACLs cannot tell which event type came from whom. So every service
signs each record it publishes: Ed25519 over the record's value, the signature and the producer's
name in the headers ``baosong-signature`` and ``baosong-producer``. The public keys are readable by
every service; a consumer checks that the event's type is one the named producer may make
(``PRODUCER_OF``) and that the signature is that producer's, and refuses the record otherwise
(``ForbiddenProducer``): nobody applies a forged ReportApproved, whoever could reach the topic.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.auth import create_keypair

PRODUCER_HEADER: Final = "baosong-producer"
SIGNATURE_HEADER: Final = "baosong-signature"
SERVICES: Final = ("intake", "approval", "escalation", "archive", "assessment")

#: The one service allowed to make each event type (whatever topic it arrives on).
PRODUCER_OF: Final[Mapping[str, str]] = {
    "ReportSubmitted": "intake",
    "IncidentRegraded": "intake",
    "IncidentReopened": "intake",
    "IncidentsLinked": "intake",
    "UnitRegistered": "intake",
    "IngressMessageRefused": "intake",
    "ReportApproved": "approval",
    "ReportRejected": "approval",
    "ReportForwarded": "approval",
    "ReportAcknowledged": "approval",
    "WrittenReportOwed": "approval",
    "DeadlineBreached": "escalation",
    "BreachSuperseded": "escalation",
    "BreachAcknowledged": "escalation",
    "DeadlineApproaching": "escalation",
    "StepOverdue": "escalation",
    "FollowUpDue": "escalation",
    "ChainHeadPublished": "archive",
    "ItemSubmitted": "intake",
    "ItemApproved": "approval",
    "ItemRejected": "approval",
    "ItemForwarded": "approval",
    "ItemAcknowledged": "approval",
    "ItemAdopted": "approval",
    "InstructionGiven": "approval",
    "RequestIssued": "approval",
    "QuotaMissed": "escalation",
}

Headers = Sequence[tuple[str, bytes | None]]


class ForbiddenProducer(Exception):
    """A consumed record whose producer may not make its event type, or whose signature is not that producer's."""


def private_key_path(folder: Path, producer: str) -> Path:
    return folder / f"{producer}.pem"


def public_key_path(folder: Path, producer: str) -> Path:
    return folder / f"{producer}.pub.pem"


def create_producer_keys(folder: Path, producers: Iterable[str] = SERVICES) -> None:
    """A key pair per producer that has none yet: private keys owner-only (0600), public keys readable."""
    for name in producers:
        private, public = private_key_path(folder, name), public_key_path(folder, name)
        if not (private.exists() and public.exists()):
            create_keypair(private, public)


@dataclass(frozen=True)
class Signer:
    """Signs the records one producer publishes."""

    producer: str
    key: Ed25519PrivateKey

    @classmethod
    def load(cls, producer: str, pem_file: Path) -> Signer:
        key = serialization.load_pem_private_key(pem_file.read_bytes(), None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{pem_file}: not an Ed25519 private key")
        return cls(producer, key)

    def headers(self, value: bytes) -> dict[str, str]:
        """The headers that name the producer and carry its signature of ``value``."""
        return {PRODUCER_HEADER: self.producer, SIGNATURE_HEADER: base64.b64encode(self.key.sign(value)).decode()}


def header(headers: Headers, name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name and value is not None:
            return value.decode("ascii", "replace")
    return None


@dataclass(frozen=True)
class ProducerKeys:
    """The producers' public keys: checks that a consumed record was made by the one allowed to make it."""

    keys: Mapping[str, Ed25519PublicKey]

    @classmethod
    def load(cls, folder: Path | None) -> ProducerKeys:
        """Every ``<producer>.pub.pem`` in ``folder`` (none: every record is refused)."""
        keys: dict[str, Ed25519PublicKey] = {}
        paths = [public_key_path(folder, name) for name in SERVICES] if folder is not None else []
        for name, path in zip(SERVICES, paths, strict=False):
            if path.exists():
                key = serialization.load_pem_public_key(path.read_bytes())
                if not isinstance(key, Ed25519PublicKey):
                    raise ValueError(f"{path}: not an Ed25519 public key")
                keys[name] = key
        return cls(keys)

    def check(self, event_type: str, value: bytes, headers: Headers) -> str:
        """The producer, if it may make ``event_type`` and signed ``value``; else raises ``ForbiddenProducer``."""
        producer = header(headers, PRODUCER_HEADER)
        allowed = PRODUCER_OF.get(event_type)
        if allowed is None:
            raise ForbiddenProducer(f"no producer may make events of type {event_type!r}")
        if producer != allowed:
            raise ForbiddenProducer(f"{event_type} may be made only by {allowed}, "
                                    f"not by {producer or 'an unnamed producer'}")
        key = self.keys.get(producer)
        if key is None:
            raise ForbiddenProducer(f"no public key for producer {producer}")
        signature = header(headers, SIGNATURE_HEADER)
        try:
            key.verify(base64.b64decode(signature or "", validate=True), value)
        except (InvalidSignature, ValueError) as exc:
            raise ForbiddenProducer(f"{event_type} does not carry {producer}'s signature") from exc
        return producer

