from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: str = "assessment"
    port: int = 8105
    chromium: Path | None = Field(
        default=None, description="Headless Chromium that prints the documents as A4 PDF (none: ?format=pdf is 503).")
