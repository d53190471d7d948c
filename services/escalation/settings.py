from pathlib import Path

from pydantic import Field, field_validator

from shared.settings import ServiceSettings


class EscalationSettings(ServiceSettings):
    service_name: str = "escalation"
    port: int = 8103
    due_interval_s: float = Field(default=0.2, description="How often the due-deadline loop looks for due clocks.")
    due_batch: int = Field(default=2000, description="Clocks fired per transaction at most.")
    quota_grace_s: float = Field(
        default=600.0, ge=0, description="A quota is counted this long after its period ends, so a sign-off made"
        " before the end but delivered after it still counts (docs/work-information/clocks.md).")
    clock_offset_s: float = Field(default=0.0, description="TESTS ONLY: shifts the service's now by seconds.")
    clock_file: Path | None = Field(default=None, description="TESTS ONLY: a file holding an offset in seconds.")
    webhook_url: str | None = Field(default=None, description="One receiver for every unit's notifications.")
    webhook_urls: dict[str, str] = Field(default_factory=dict, description="Receiver per unit id (JSON object).")
    webhook_attempts: int = 5
    webhook_backoff_s: float = Field(default=0.5, description="First retry delay; doubled after each failure.")
    webhook_timeout_s: float = 5.0
    pack_assignments: str | None = Field(default=None, description="Retired: refused when set (see below).")

    @field_validator("pack_assignments")
    @classmethod
    def _retired(cls, value: str | None) -> str | None:
        """BAOSONG_PACK_ASSIGNMENTS once chose packs per unit here. A deployment still setting it would
        otherwise lose those packs without a word."""
        if value is not None:
            raise ValueError("BAOSONG_PACK_ASSIGNMENTS is no longer read: the report states its pack, and a unit's"
                             " own pack goes in shared/packs/assignments.yaml under by_unit")
        return value
