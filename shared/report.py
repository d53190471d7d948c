"""The report as agencies submit it (docs/api.md, "The report"; docs/rules.md §8).

This is the wire shape only; intake's domain adds the rules a clerk must satisfy
(vague words, occurrence in the future, follow-ups naming their incident).

Every figure and time has a bound (declared here, so it shows in the OpenAPI and AsyncAPI schemas)
within which every service can store it and compute with it: PostgreSQL's bigint and timestamptz,
Python's datetime (years 1–9999, also after the UTC offset and the packs' limits are applied) and
JavaScript's exact integers (2^53).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from shared.access import DEFAULT, Level

#: Years a time may fall in, both as written and in UTC.
MIN_YEAR, MAX_YEAR = 1900, 2999
#: People in one incident (each casualty count, participants): ten million.
MAX_PEOPLE = 10_000_000
#: Money in yuan (economic_loss_cny, impact keys ending in ``_cny``): ten trillion.
MAX_CNY = 10_000_000_000_000
#: Areas in mu (impact keys ending in ``_mu``): twenty billion, more than China's 14.4 billion.
MAX_MU = 20_000_000_000
#: Any other figure in ``impact`` (rooms, cases, days …): one billion.
MAX_COUNT = 1_000_000_000
#: Keys in ``impact`` and their length.
MAX_IMPACT_KEYS, MAX_IMPACT_KEY_LENGTH = 50, 64
#: Unit, incident, report and category ids.
MAX_ID_LENGTH = 100
#: The bound on an ``impact`` figure, by the unit its key ends in.
IMPACT_BOUNDS: dict[str, int] = {"_cny": MAX_CNY, "_mu": MAX_MU}


def in_year_bounds(value: datetime) -> bool:
    """True when ``value`` falls in the years ``MIN_YEAR``–``MAX_YEAR``, both as written and in UTC."""
    try:
        years = {value.year, value.astimezone(UTC).year}
    except OverflowError:  # the offset pushes it out of Python's years 1–9999
        return False
    return all(MIN_YEAR <= y <= MAX_YEAR for y in years)


def _within_years(value: datetime) -> datetime:
    if not in_year_bounds(value):
        raise PydanticCustomError("time_out_of_range", "the time must fall in the years {min_year}–{max_year}",
                                  {"min_year": MIN_YEAR, "max_year": MAX_YEAR})
    return value


#: A time with an offset, in the years ``MIN_YEAR``–``MAX_YEAR`` (as written and in UTC).
Time = Annotated[AwareDatetime, AfterValidator(_within_years),
                 Field(description=f"With an offset; in the years {MIN_YEAR}–{MAX_YEAR}, also in UTC.")]
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE)]
Id = Annotated[str, Field(max_length=MAX_ID_LENGTH)]


def impact_bound(key: str) -> int:
    """The largest figure ``impact[key]`` may hold."""
    return next((bound for suffix, bound in IMPACT_BOUNDS.items() if key.endswith(suffix)), MAX_COUNT)

ReportKind = Literal["initial", "follow_up", "final"]
Channel = Literal["written", "phone"]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: Id = Field(min_length=1, description="The unit on whose ground the incident happened.")
    address: str = Field(default="", max_length=500)


class Casualties(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deaths: People = 0
    injured: People = 0
    seriously_injured: People = 0
    missing: People = 0
    poisoned: People = 0


class Flags(BaseModel):
    """Sensitivity clause (docs/rules.md §3): reportable below the thresholds when any is set."""

    model_config = ConfigDict(extra="forbid")
    sensitive_time: bool = False
    sensitive_place: bool = False
    special_identity: bool = False
    wide_attention: bool = False


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=50)


class Report(BaseModel):
    """A report (首报 / 续报 / 终报) exactly as `POST /v1/reports` takes it."""

    model_config = ConfigDict(extra="forbid")

    kind: ReportKind = "initial"
    incident_id: Id | None = None
    reporting_unit: Id = Field(min_length=1)
    channel: Channel = "written"
    title: str = Field(min_length=1, max_length=200)
    category: Id = Field(min_length=1, examples=["accident.road_traffic"])
    occurred_at: Time
    discovered_at: Time | None = None
    location: Location
    casualties: Casualties = Field(default_factory=Casualties)
    economic_loss_cny: int = Field(default=0, ge=0, le=MAX_CNY)
    participants: People = 0
    impact: dict[Annotated[str, Field(min_length=1, max_length=MAX_IMPACT_KEY_LENGTH)], int] = Field(
        default_factory=dict, max_length=MAX_IMPACT_KEYS,
        description=f"Further figures by name, e.g. rooms_collapsed; keys ending in _cny are yuan (at most "
                    f"{MAX_CNY}), in _mu mu (at most {MAX_MU}), any other at most {MAX_COUNT}.",
        json_schema_extra={
            "patternProperties": {f"{suffix}$": {"type": "integer", "minimum": 0, "maximum": bound}
                                  for suffix, bound in IMPACT_BOUNDS.items()},
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}})
    flags: Flags = Field(default_factory=Flags)
    summary: str = Field(default="", max_length=20000)
    cause: str = Field(default="", max_length=5000)
    measures_taken: str = Field(default="", max_length=5000)
    next_steps: str = Field(default="", max_length=5000)
    trend: str = Field(default="", max_length=5000)
    leaders_on_site: str = Field(default="", max_length=1000)
    source: str = Field(default="", max_length=1000)
    signer: str = Field(default="", max_length=100)
    contact: Contact = Field(default_factory=Contact)
    classification: Level = Field(default=DEFAULT, description="密级: public < internal (内部) < secret (秘密)"
                                  " < confidential (机密) < top_secret (绝密).")
    supersedes_report_id: Id | None = Field(
        default=None, description="A corrected report names the rejected one it replaces."
    )
    phone_report_id: Id | None = Field(
        default=None, description="A written report names the phone report it puts in writing."
    )
    reopen: bool = Field(default=False, description="A report on a closed incident (after its 终报) reopens it;"
                         " it must give reopen_reason.")
    reopen_reason: str = Field(default="", max_length=1000, description="Why the closed incident is reopened.")

    @field_validator("impact")
    @classmethod
    def _impact_within_bounds(cls, impact: dict[str, int]) -> dict[str, int]:
        for key, value in impact.items():
            if not 0 <= value <= impact_bound(key):
                raise PydanticCustomError("impact_out_of_range", "impact[{key}] must be 0–{le}",
                                          {"key": key, "ge": 0, "le": impact_bound(key)})
        return impact

    def clock_start(self) -> datetime:
        """When the incident happened; deadline clocks run from here unless a pack says discovery."""
        return self.occurred_at
