from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: str = "assessment"
    port: int = 8105
    echarts_js: Path | None = Field(
        default=None, description="ECharts' echarts.min.js for the monthly incident report (none: its charts 503).")
    chromium: Path | None = Field(
        default=None, description="Headless Chromium that prints the documents and the monthly incident report as A4"
                                  " PDF (none: ?format=pdf is 503).")
