"""One typed settings object per service, read from ``BAOSONG_*`` environment variables at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service needs; each service subclasses it with its own name and port."""

    model_config = SettingsConfigDict(env_prefix="BAOSONG_", extra="ignore")

    service_name: str = "baosong"
    host: str = "127.0.0.1"
    port: int = 8100
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers.")
    pg_dsn: str = Field(
        default="postgresql://baosong@127.0.0.1:5432/baosong",
        description="The service's own PostgreSQL role; it owns one schema named after the service.",
    )
    jwt_public_key: Path = Field(description="PEM file of the Ed25519 key that verifies bearer tokens.")
    log_level: str = "INFO"

    @property
    def consumer_group(self) -> str:
        return f"baosong-{self.service_name}"
