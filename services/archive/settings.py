from shared.settings import ServiceSettings


class ArchiveSettings(ServiceSettings):
    service_name: str = "archive"
    port: int = 8104
    batch_max_records: int = 500
    head_publish_interval_s: float = 30.0
    projector_idle_s: float = 1.0
