"""The broker's ACLs: each service may write only the topics it produces and read what it consumes.

aiokafka has no public call for CreateAcls, so the request (version 1, which Kafka 4 still serves)
is sent through the admin client's connection; every binding goes in one request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest_v1
from aiokafka.protocol.api import Request

from shared.kafka import KafkaCredentials
from shared.topics import (
    AGENCY_INGRESS_PREFIX,
    AUDIT,
    BREACHES,
    DEADLINES,
    INGRESS,
    INGRESS_DEAD_LETTER,
    ITEMS,
    REPORTS,
    UNITS,
)


class Resource(IntEnum):
    TOPIC = 2
    GROUP = 3


class Pattern(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    READ = 3
    WRITE = 4


ALLOW: Final = 3


@dataclass(frozen=True)
class Grant:
    """Allow ``principal`` one operation on one resource (a name or a name prefix), from any host."""

    principal: str
    operation: Operation
    resource: Resource
    name: str
    pattern: Pattern = Pattern.LITERAL

    def creation(self) -> tuple[int, str, int, str, str, int, int]:
        return (self.resource, self.name, self.pattern, f"User:{self.principal}", "*", self.operation, ALLOW)


@dataclass(frozen=True)
class Role:
    """What one service's principal may do: topics it writes, topics it reads, its consumer groups' prefix."""

    writes: tuple[str, ...]
    reads: tuple[str, ...]
    read_prefixes: tuple[str, ...] = ()

    def grants(self, principal: str) -> list[Grant]:
        return [
            *(Grant(principal, Operation.WRITE, Resource.TOPIC, t) for t in self.writes),
            *(Grant(principal, Operation.READ, Resource.TOPIC, t) for t in self.reads),
            *(Grant(principal, Operation.READ, Resource.TOPIC, p, Pattern.PREFIXED) for p in self.read_prefixes),
            # its own consumer groups: baosong-<service>, baosong-<service>-units, …
            Grant(principal, Operation.READ, Resource.GROUP, f"baosong-{principal}", Pattern.PREFIXED),
        ]


#: Each service's principal (its SCRAM user is named after it); see shared/producers.py for event types.
ROLES: Final[dict[str, Role]] = {
    "intake": Role(writes=(REPORTS, ITEMS, UNITS, INGRESS_DEAD_LETTER), reads=(UNITS, INGRESS, ITEMS),
                   read_prefixes=(AGENCY_INGRESS_PREFIX,)),
    "approval": Role(writes=(REPORTS, ITEMS), reads=(UNITS, REPORTS, ITEMS)),
    "escalation": Role(writes=(BREACHES, DEADLINES), reads=(UNITS, REPORTS, ITEMS, BREACHES, DEADLINES)),
    "archive": Role(writes=(AUDIT,), reads=(REPORTS, ITEMS, UNITS, DEADLINES, BREACHES)),
    "assessment": Role(writes=(), reads=(UNITS, ITEMS, BREACHES, DEADLINES, REPORTS)),
}


def agency_topic(unit_id: str) -> str:
    return AGENCY_INGRESS_PREFIX + unit_id


def agency_user(unit_id: str) -> str:
    return f"agency-{unit_id}"


def agency_grants(unit_id: str) -> list[Grant]:
    """An agency may write its own ingress topic and nothing else (not even read it back)."""
    return [Grant(agency_user(unit_id), Operation.WRITE, Resource.TOPIC, agency_topic(unit_id))]


def service_grants() -> list[Grant]:
    return [grant for principal, role in ROLES.items() for grant in role.grants(principal)]


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # aiokafka's protocol is untyped
    """CreateAcls with many bindings in one request."""

    API_KEY = 30

    def __init__(self, grants: Iterable[Grant]):
        self._creations = [g.creation() for g in grants]

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


async def create_acls(bootstrap: str, admin_user: KafkaCredentials, grants: list[Grant]) -> None:
    """Add the grants (adding one that exists changes nothing); raises if the broker refused any."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000, **admin_user.client_options())
    await admin.start()
    try:
        client = admin._client
        response = await client.send(client.get_random_node(), _CreateAcls(grants))
    finally:
        await admin.close()
    errors = [(grant, message) for grant, (code, message) in zip(grants, response.creation_responses, strict=True)
              if code != 0]
    if errors:
        raise RuntimeError(f"the broker refused ACLs: {errors}")
