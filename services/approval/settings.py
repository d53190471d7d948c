from shared.settings import ServiceSettings


class ApprovalSettings(ServiceSettings):
    service_name: str = "approval"
    port: int = 8102
    outbox_interval_s: float = 1.0
