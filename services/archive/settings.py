from shared.settings import ServiceSettings


class ArchiveSettings(ServiceSettings):
    service_name: str = "archive"
    port: int = 8104
    batch_max_records: int = 500
