from shared.settings import ServiceSettings


class ApprovalSettings(ServiceSettings):
    service_name: str = "approval"
    port: int = 8102
    outbox_interval_s: float = 1.0
    #: How far ahead a commissioned request (约稿) may be due.
    request_max_ahead_days: int = 366
