"""One typed settings object per service, read from ``BAOSONG_*`` environment variables at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka import KafkaAccess, KafkaCredentials
from shared.producers import ProducerKeys, Signer


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
    kafka_credentials: Path | None = Field(
        default=None, description="Owner-only JSON file with the service's SASL/SCRAM username and password.")
    kafka_signing_key: Path | None = Field(
        default=None, description="The service's Ed25519 private key (PEM) that signs every record it publishes.")
    kafka_producer_keys: Path | None = Field(
        default=None, description="Folder of the producers' public keys (<service>.pub.pem); none: refuse all.")
    jwt_public_key: Path = Field(description="PEM file of the Ed25519 key that verifies bearer tokens.")
    log_level: str = "INFO"
    log_file: Path | None = Field(
        default=None, description="Write logs to this file, rotated at log_max_bytes (else stderr).")
    log_max_bytes: int = 50_000_000
    consumer_retry_attempts: int = Field(
        default=8, ge=1, description="Tries of a record that fails for a passing reason before it is parked.")
    consumer_retry_max_backoff_s: float = Field(default=8.0, gt=0, description="Longest wait between two tries.")
    health_stuck_after_s: float = Field(
        default=10.0, ge=0,
        description="/healthz answers 503 once a consumer has failed, or been busy, on one record this long.")
    health_max_lag: int = Field(
        default=10_000, ge=0, description="/healthz answers 503 while a consumer is this many records behind.")

    @property
    def consumer_group(self) -> str:
        return f"baosong-{self.service_name}"

    def kafka_access(self) -> KafkaAccess:
        """The broker's address, this service's credentials and signing key, and the producers' keys."""
        credentials = KafkaCredentials.read(self.kafka_credentials) if self.kafka_credentials else None
        signer = Signer.load(self.service_name, self.kafka_signing_key) if self.kafka_signing_key else None
        return KafkaAccess(self.kafka_bootstrap, credentials, signer, ProducerKeys.load(self.kafka_producer_keys))
