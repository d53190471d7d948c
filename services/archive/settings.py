from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class ArchiveSettings(ServiceSettings):
    service_name: str = "archive"
    port: int = 8104
    batch_max_records: int = 500
    head_publish_interval_s: float = 30.0
    head_signing_key: Path = Field(description="PEM file of the archive's Ed25519 key that signs published heads.")
    heads_file: Path = Field(description="Where published heads are appended (JSON lines), outside PostgreSQL.")
    projector_idle_s: float = 1.0
    echarts_js: Path | None = Field(
        default=None, description="ECharts' echarts.min.js for the pages and the monthly report (none: charts 503).")
    chromium: Path | None = Field(
        default=None, description="Headless Chromium that prints the monthly report as PDF (none: the PDF is 503).")
    link_window_h: float = Field(
        default=2.0, gt=0, description="Incidents of one category and place that happened this many hours apart or"
                                       " less are suggested as one (GET /v1/incidents/{id}/link-suggestions).")
    health_urls: dict[str, str] = Field(
        default_factory=dict, description="The other services' base URLs (JSON), for /v1/system/health.")
