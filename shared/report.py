"""The report as agencies submit it (contract §Intake, regulations §2).

This is the wire shape only; intake's domain adds the rules a clerk must satisfy
(vague words, occurrence in the future, follow-ups naming their incident).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt

from shared.access import DEFAULT, Level

ReportKind = Literal["initial", "follow_up", "final"]
Channel = Literal["written", "phone"]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str = Field(min_length=1, description="The unit on whose ground the incident happened.")
    address: str = Field(default="", max_length=500)


class Casualties(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deaths: NonNegativeInt = 0
    injured: NonNegativeInt = 0
    seriously_injured: NonNegativeInt = 0
    missing: NonNegativeInt = 0
    poisoned: NonNegativeInt = 0


class Flags(BaseModel):
    """Sensitivity clause of regulations §3: reportable below the thresholds when any is set."""

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
    incident_id: str | None = None
    reporting_unit: str = Field(min_length=1)
    channel: Channel = "written"
    title: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, examples=["accident.road_traffic"])
    occurred_at: AwareDatetime
    discovered_at: AwareDatetime | None = None
    location: Location
    casualties: Casualties = Field(default_factory=Casualties)
    economic_loss_cny: NonNegativeInt = 0
    participants: NonNegativeInt = 0
    impact: dict[str, NonNegativeInt] = Field(default_factory=dict)
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
    supersedes_report_id: str | None = Field(
        default=None, description="A corrected report names the rejected one it replaces."
    )
    phone_report_id: str | None = Field(
        default=None, description="A written report names the phone report it puts in writing."
    )

    def clock_start(self) -> datetime:
        """When the incident happened; deadline clocks run from here unless a pack says discovery."""
        return self.occurred_at
