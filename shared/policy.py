"""Policy packs: the rules' numbers as versioned data (explained in docs/rules.md), one YAML file per pack.

A pack says what is reportable (category thresholds and the sensitivity clause), how grave it is
(grades I–IV), how far each grade travels up the levels, what is owed by when (obligations and
their limits) and when to remind (the quotas of routine information are in the information packs,
``shared.information``). Services load packs through this module
only; no number from the rules is written in code.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from shared.events import Grade, UnitLevel
from shared.logging import get_logger

#: The packs every service reads: the shipped ones, or a whole folder of a deployment's own (its packs, its
#: ``assignments.yaml`` and ``information/``) named by ``BAOSONG_PACKS_DIR`` — the same for every service.
PACKS_DIR = Path(os.environ.get("BAOSONG_PACKS_DIR") or Path(__file__).parent / "packs")

log = get_logger(__name__)

#: Figures a threshold may test: the report's casualties, money, participants and ``impact`` keys,
#: plus ``dead_and_injured`` (deaths + injured), the sum the rules use for accidents.
Metric = str

#: The longest limit a pack may set (a deadline, a cadence): a deadline counted from any time a report may
#: carry (years 1900–2999, ``shared.report``) then stays far inside what every service can compute and store.
MAX_LIMIT = timedelta(days=366)


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class Threshold(BaseModel):
    """Met when the figure is at least ``min`` (the rules' 以上/含 are inclusive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    metric: Metric
    min: NonNegativeInt
    reason: Words = Field(description="What the answer says when this threshold is met.")


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Words
    always: bool = Field(default=False, description="Reportable whatever the figures (e.g. explosions).")
    thresholds: tuple[Threshold, ...] = ()
    note: Words | None = Field(default=None, description="Conditions the figures cannot express.")


class GradeRule(BaseModel):
    """A grade is reached when any of its criteria is met; rules are tried gravest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grade: Grade
    name: Words
    any: tuple[Threshold, ...]


class Route(BaseModel):
    """How far reports of one grade must travel, and whether an emergency may skip a level."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    up_to: UnitLevel
    emergency_skip: bool = False
    principal_sign_off: bool = Field(
        default=False, description="Each unit's sign-off needs its principal (主要领导), not only an approver.")


#: Signing roles, weakest to strongest: a caller holding several roles of a step acts in the strongest.
ROLE_STRENGTH = ("approver", "section_head", "leader", "principal")
Role = Literal["approver", "section_head", "leader", "principal"]


class SignOffStep(BaseModel):
    """One step of the sign-off (审签) inside a unit: any holder of one of ``roles`` decides it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    roles: tuple[Role, ...] = Field(min_length=1)
    name: Words
    stage: str | None = Field(
        default=None, pattern=r"^[a-z][a-z_]*$",
        description="The step's name in events, queues and 责任倒查 (e.g. `leader`); default: its first role.")
    hold: timedelta | None = Field(
        default=None, gt=timedelta(), le=MAX_LIMIT,
        description="How long the step may hold a report before its own reminder (StepOverdue); None: no reminder.")
    emergency_skip_by: tuple[Role, ...] = Field(
        default=(), description="Roles that may pass over this step in an emergency (a decision with"
                                " `skip_steps: true`), deciding a later step of theirs at once.")

    @property
    def stage_name(self) -> str:
        return self.stage or self.roles[0]


class SignOffChains(BaseModel):
    """The sign-off steps of a pack's reports: ``steps`` for every grade (and reports below the thresholds),
    ``by_grade`` for the grades it names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    steps: tuple[SignOffStep, ...] = Field(min_length=1)
    by_grade: dict[Grade, tuple[SignOffStep, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _stages_unique(self) -> SignOffChains:
        for chain in (self.steps, *self.by_grade.values()):
            if not chain:
                raise ValueError("a sign-off chain needs at least one step")
            stages = [step.stage_name for step in chain]
            if len(stages) != len(set(stages)):
                raise ValueError(f"a chain names a stage twice: {stages}")
        return self


#: A pack without ``sign_off`` signs as Baosong always did: one step (approver or principal), and a second,
#: the principal's, where the grade's route says ``principal_sign_off``.
UNIT_SIGN_OFF = SignOffStep(roles=("approver", "principal"), stage="approver",
                            name=Words(zh="单位审签", en="the unit's sign-off"))
PRINCIPAL_SIGN_OFF = SignOffStep(roles=("principal",), stage="principal",
                                 name=Words(zh="主要领导签发", en="the principal's sign-off"))

ObligationName = Literal[
    "written_report", "phone_report", "forward", "receipt", "follow_up", "routine_report"
]


class ObligationRule(BaseModel):
    """What a unit owes and by when, counted from the clock start (occurrence or discovery)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    obligation: ObligationName
    applies_to: Literal["reportable", "not_reportable", "all"] = "reportable"
    grades: tuple[Grade, ...] = Field(default=("I", "II", "III", "IV"), description="Grades it applies to.")
    to: Literal["parent", "department_parent"] = Field(
        default="parent", description="`department_parent`: the unit's superior department (双重报送).")
    late_after: timedelta = Field(le=MAX_LIMIT)
    missed_after: timedelta | None = Field(default=None, le=MAX_LIMIT)
    every: timedelta | None = Field(default=None, le=MAX_LIMIT, description="Cadence of a repeating obligation (续报).")
    from_level: UnitLevel | None = Field(
        default=None, description="A hop: owed by the incident unit's ancestor at this level, to its parent.")
    counted_from: Literal["clock_start", "forwarded"] = Field(
        default="clock_start", description="`forwarded`: counted from when a report reached the unit (回执).")
    name: Words


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: int
    extends: str | None = Field(
        default=None, description="A pack whose top-level sections this one inherits unless it sets them.")
    title: Words
    sources: tuple[str, ...] = Field(description="The documents the numbers come from, by title (docs/rules.md §1).")
    clock_start: Literal["occurred", "discovered"] = "occurred"
    categories: dict[str, Category] = Field(default_factory=dict)
    sensitivity_flags: tuple[str, ...] = ("sensitive_time", "sensitive_place", "special_identity", "wide_attention")
    grades: tuple[GradeRule, ...] = ()
    routes: dict[Grade, Route] = Field(default_factory=dict)
    obligations: tuple[ObligationRule, ...] = ()
    vague_words: tuple[str, ...] = Field(
        default=(), description="Words the rules forbid in a report (a warning, not a refusal).")
    reminders: tuple[float, ...] = Field(default=(0.5, 0.8), description="Shares of a limit that warn.")
    required_content: tuple[str, ...] = Field(
        default=(), description="Fields (dotted paths) an urgent report must fill: each one left empty is a"
                                " warning, not a refusal (a first report by phone may lack them).")
    sign_off: SignOffChains | None = Field(
        default=None, description="The sign-off steps inside each unit; None: approver or principal, and the"
                                  " principal too where the route says principal_sign_off.")

    @property
    def ref(self) -> str:
        """``name@version``, as events and answers carry it."""
        return f"{self.name}@{self.version}"

    def sign_off_steps(self, *, grade: Grade | None, reportable: bool) -> tuple[SignOffStep, ...]:
        """The steps a report climbs in each unit it must be signed off in (a reportable report not graded
        yet as grade IV, as its route)."""
        key: Grade = grade or "IV"
        if self.sign_off is not None:
            return self.sign_off.by_grade.get(key, self.sign_off.steps) if reportable else self.sign_off.steps
        route = self.routes.get(key) if reportable else None
        if route is not None and route.principal_sign_off:
            return UNIT_SIGN_OFF, PRINCIPAL_SIGN_OFF
        return (UNIT_SIGN_OFF,)

    @model_validator(mode="after")
    def _grades_gravest_first(self) -> Pack:
        order = ["I", "II", "III", "IV"]
        ranks = [order.index(g.grade) for g in self.grades]
        if ranks != sorted(ranks):
            raise ValueError("grades must be listed gravest first (I, II, III, IV)")
        return self


class PackError(Exception):
    """A pack file is missing or malformed; the message names the file and the field."""


def _raw_pack(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The pack's YAML mapping, with the sections it does not set taken from the pack it ``extends``."""
    if path in seen:
        raise ValueError(f"packs extend each other in a cycle: {[p.name for p in (*seen, path)]}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("a pack must be a YAML mapping")
    base_name = raw.get("extends")
    if base_name is None:
        return raw
    base = _raw_pack(path.parent / f"{base_name}.yaml", (*seen, path))
    return {**base, **raw}


def load_pack_file(path: Path) -> Pack:
    try:
        return Pack.model_validate(_raw_pack(path))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise PackError(f"policy pack {path}: {exc}") from exc


@cache
def load_pack(name: str, directory: Path = PACKS_DIR) -> Pack:
    """The pack named ``name`` from ``directory`` (``<name>.yaml``)."""
    return load_pack_file(directory / f"{name}.yaml")


@cache
def pack_names(directory: Path = PACKS_DIR) -> tuple[str, ...]:
    """The packs ``directory`` holds: every YAML file but ``assignments.yaml``."""
    return tuple(sorted(p.stem for p in directory.glob("*.yaml") if p.stem != "assignments"))


def pack_name(ref: str) -> str:
    """The pack a policy ref names: ``county-2h-10h`` of ``county-2h-10h@1``."""
    return ref.partition("@")[0]


def pack_of(ref: str) -> Pack:
    """The pack a policy ref (``name@version``) names; PackError if this deployment lacks it."""
    return load_pack(pack_name(ref))


def all_packs(directory: Path = PACKS_DIR) -> dict[str, Pack]:
    return {name: load_pack(name, directory) for name in pack_names(directory)}


class Assignments(BaseModel):
    """Which pack governs which unit (``packs/assignments.yaml``): by unit id, then by kind, else default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default: str
    by_unit: dict[str, str] = Field(default_factory=dict)
    by_kind: dict[str, str] = Field(default_factory=dict)

    def pack_name_for(self, *, unit_id: str, kind: str | None = None) -> str:
        return self.by_unit.get(unit_id) or (self.by_kind.get(kind) if kind else None) or self.default


@cache
def load_assignments(directory: Path = PACKS_DIR) -> Assignments:
    """``assignments.yaml``; PackError if it is malformed or names a pack that ``directory`` lacks."""
    path = directory / "assignments.yaml"
    try:
        assignments = Assignments.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise PackError(f"pack assignments {path}: {exc}") from exc
    named = {assignments.default, *assignments.by_unit.values(), *assignments.by_kind.values()}
    unknown = sorted(named - set(pack_names(directory)))
    if unknown:
        raise PackError(f"pack assignments {path}: no such pack {', '.join(unknown)};"
                        f" the packs are {', '.join(pack_names(directory))}")
    return assignments


def check_packs(directory: Path = PACKS_DIR) -> None:
    """Every service's start-up check: each pack parses and ``assignments.yaml`` names only packs. A PackError
    naming the file or the name stops the service then, not when a report first needs the pack (a consumer
    failing then would be handed that report forever)."""
    all_packs(directory)
    load_assignments(directory)


def pack_for(policy: str | None = None, *, unit_id: str, unit_kind: str | None) -> Pack:
    """The pack governing a report: the one it names (``policy``, ``name@version`` as ReportSubmitted states
    it), so every service keeps the deadlines intake stated to the agency; else the one ``assignments.yaml``
    gives the unit (by id, then ``unit_kind``, else the default). A named pack this deployment lacks (services
    of two releases side by side) is logged and the unit's is used instead."""
    if policy:
        if pack_name(policy) in pack_names():
            return pack_of(policy)
        log.warning("the report names a pack this deployment lacks; choosing one by its unit",
                    policy=policy, unit_id=unit_id)
    return load_pack(load_assignments().pack_name_for(unit_id=unit_id, kind=unit_kind))
