from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    port: int = 8101
    clock_skew_s: float = 120.0
    """How far in the future an occurrence time may lie before it is refused (clocks disagree)."""
    receipt_signing_key: Path = Field(description="PEM file of intake's Ed25519 key that signs receipts (回执凭证).")
